use gongzhi_domain::place::{Level, check_parent};
use gongzhi_store::Value;
use gongzhi_store::repo::{self, JurisdictionRow};
use uuid::Uuid;

use crate::authz::{Actor, Permission};
use crate::command::{Command, Target, tenant_of};
use crate::{App, AppError, new_id};

pub struct NewJurisdiction<'a> {
    pub parent_id: Option<Uuid>,
    pub level: &'a str,
    pub code: &'a str,
    pub name_zh: &'a str,
    pub name_en: &'a str,
}

fn check_code(code: &str) -> Result<String, AppError> {
    let c = code.trim().to_lowercase();
    let ok = (2..=48).contains(&c.len())
        && c.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(c)
    } else {
        Err(AppError::invalid("jurisdiction_code_invalid", "code"))
    }
}

fn check_label(text: &str, field: &'static str) -> Result<String, AppError> {
    let t = text.trim();
    if t.is_empty() || t.chars().count() > 60 || t.chars().any(char::is_control) {
        return Err(AppError::invalid("label_invalid", field));
    }
    Ok(t.to_string())
}

/// Creates a jurisdiction under a parent (the city has none). Its event goes into the chain of the
/// tenant it belongs to: its own chain from community upwards, its community's below.
pub async fn create_jurisdiction(
    app: &App,
    actor: &Actor,
    new: &NewJurisdiction<'_>,
) -> Result<Uuid, AppError> {
    let level = Level::parse(new.level)?;
    let code = check_code(new.code)?;
    let name_zh = check_label(new.name_zh, "name_zh")?;
    let name_en = if new.name_en.trim().is_empty() {
        name_zh.clone()
    } else {
        check_label(new.name_en, "name_en")?
    };
    let id = new_id();
    let mut read = app.db.read().await?;
    let parent = match new.parent_id {
        Some(p) => Some(
            repo::jurisdiction_by_id(&mut read, p)
                .await?
                .ok_or(AppError::NotFound("jurisdiction"))?,
        ),
        None => None,
    };
    check_parent(
        parent
            .as_ref()
            .map(|p| Level::parse(&p.level))
            .transpose()?,
        level,
    )?;
    let tenant = match &parent {
        Some(p) => {
            actor
                .require(&mut read, Permission::ManageJurisdictions, p.id)
                .await?;
            if level.is_tenant() {
                id
            } else {
                tenant_of(&mut read, p.id).await?
            }
        }
        None if actor.is_system() => id,
        None => return Err(AppError::Forbidden),
    };
    read.rollback().await?;
    let mut cmd = Command::begin(app, actor, tenant, "jurisdiction.create").await?;
    cmd.insert(
        "jurisdictions",
        &[
            ("id", id.into()),
            ("parent_id", Value::from(new.parent_id)),
            ("level", level.as_str().into()),
            ("code", code.into()),
            ("name_zh", name_zh.into()),
            ("name_en", name_en.into()),
            ("created_at", app.now().micros().into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// `place` and every place under it, from a list of all places.
fn at_or_under(all: &[JurisdictionRow], place: Uuid) -> Vec<Uuid> {
    let mut area = vec![place];
    let mut i = 0;
    while i < area.len() {
        let parent = area[i];
        area.extend(
            all.iter()
                .filter(|j| j.parent_id == Some(parent))
                .map(|j| j.id),
        );
        i += 1;
    }
    area
}

/// The community (chain) a place's records are kept in, and — for a place below a community (a
/// resident group, a courtyard) — the places at or under it, whose records are its own; `None`
/// for a community or a place above (its whole chain is its own).
pub async fn area_of(
    tx: &mut gongzhi_store::Tx,
    place: Uuid,
) -> Result<(Uuid, Option<Vec<Uuid>>), AppError> {
    let tenant = crate::command::tenant_of(tx, place).await?;
    if tenant == place {
        return Ok((tenant, None));
    }
    let all = repo::all_jurisdictions(tx).await?;
    Ok((tenant, Some(at_or_under(&all, place))))
}

/// The courtyards at or under `place` (a community's, for its register's filter and form).
pub async fn courtyards_in(app: &App, place: Uuid) -> Result<Vec<JurisdictionRow>, AppError> {
    let all = jurisdictions(app).await?;
    let area = at_or_under(&all, place);
    Ok(all
        .into_iter()
        .filter(|j| j.level == Level::Courtyard.as_str() && area.contains(&j.id))
        .collect())
}

pub async fn jurisdictions(app: &App) -> Result<Vec<JurisdictionRow>, AppError> {
    let mut tx = app.db.reads().await?;
    let all = repo::all_jurisdictions(&mut tx).await?;
    tx.rollback().await?;
    Ok(all)
}

/// The place and every place above it, nearest first (from the process's copy: places are never
/// moved), for a page's trail back to its community; empty if there is no such place.
pub async fn chain_of(app: &App, place: Uuid) -> Result<Vec<JurisdictionRow>, AppError> {
    let mut tx = app.db.reads().await?;
    let chain = app.reference.chain_of_place(&mut tx, place).await?;
    tx.rollback().await?;
    Ok(chain.to_vec())
}

/// The places directly below a jurisdiction (a community's groups and courtyards).
pub async fn children(app: &App, id: Uuid) -> Result<Vec<JurisdictionRow>, AppError> {
    let mut tx = app.db.reads().await?;
    Ok(repo::children(&mut tx, id).await?)
}

pub async fn jurisdiction_by_code(app: &App, code: &str) -> Result<JurisdictionRow, AppError> {
    let mut tx = app.db.reads().await?;
    let j = repo::jurisdiction_by_code(&mut tx, code)
        .await?
        .ok_or(AppError::NotFound("jurisdiction"))?;
    tx.rollback().await?;
    Ok(j)
}

/// The community a courtyard (or group) belongs to, checking it is inside `community`.
pub(crate) async fn check_inside(
    tx: &mut gongzhi_store::Tx,
    community: Uuid,
    place: Uuid,
) -> Result<JurisdictionRow, AppError> {
    let chain = repo::ancestors(tx, place).await?;
    let Some(first) = chain.first().cloned() else {
        return Err(AppError::NotFound("jurisdiction"));
    };
    if !chain.iter().any(|j| j.id == community) {
        return Err(AppError::invalid("place_not_in_community", "courtyard_id"));
    }
    Ok(first)
}

/// Registers a building (楼栋) in a courtyard of a community.
pub async fn create_building(
    app: &App,
    actor: &Actor,
    courtyard: Uuid,
    label: &str,
) -> Result<Uuid, AppError> {
    let label = check_label(label, "label")?;
    let mut cmd = Command::on(app, actor, Target::Place(courtyard), "building.create").await?;
    let read = &mut cmd.tx;
    let tenant = tenant_of(read, courtyard).await?;
    actor
        .require(read, Permission::ManagePlaces, courtyard)
        .await?;
    let place = check_inside(read, tenant, courtyard).await?;
    if place.level != "courtyard" {
        return Err(AppError::invalid(
            "building_needs_courtyard",
            "courtyard_id",
        ));
    }
    let id = new_id();
    cmd.insert(
        "buildings",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("courtyard_id", courtyard.into()),
            ("label", label.into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// Registers a household (单元-户) in a building. The same unit and room twice is refused.
pub async fn create_household(
    app: &App,
    actor: &Actor,
    community: Uuid,
    building: Uuid,
    unit: &str,
    room: &str,
) -> Result<Uuid, AppError> {
    let unit = check_label(unit, "unit")?;
    let room = check_label(room, "room")?;
    let mut cmd = Command::on(app, actor, Target::Tenant(community), "household.create").await?;
    let read = &mut cmd.tx;
    actor
        .require(read, Permission::ManagePlaces, community)
        .await?;
    repo::building(read, community, building)
        .await?
        .ok_or(AppError::NotFound("building"))?;
    if repo::household_by_address(read, community, building, &unit, &room)
        .await?
        .is_some()
    {
        return Err(AppError::invalid("household_duplicate", "room"));
    }
    let id = new_id();
    cmd.insert(
        "households",
        &[
            ("tenant_id", community.into()),
            ("id", id.into()),
            ("building_id", building.into()),
            ("unit", unit.into()),
            ("room", room.into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}
