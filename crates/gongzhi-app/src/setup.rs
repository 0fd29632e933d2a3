use gongzhi_domain::rulebook::CATALOGUE;
use gongzhi_store::{audit, repo};
use serde_json::json;
use uuid::Uuid;

use crate::accounts::{NewAccount, insert_account, insert_grant};
use crate::authz::Actor;
use crate::command::Command;
use crate::{App, AppError, new_id};

pub struct Init<'a> {
    pub city_code: &'a str,
    pub city_name_zh: &'a str,
    pub city_name_en: &'a str,
    pub admin_username: &'a str,
    pub admin_name: &'a str,
    pub admin_password: &'a str,
}

/// Creates the top jurisdiction, the first administrator and the default rulebook (each default
/// with its source), in one command, the first event of the city's chain. Refused once done.
pub async fn init(app: &App, init: &Init<'_>) -> Result<(Uuid, Uuid), AppError> {
    let mut read = app.db.read().await?;
    if repo::root_jurisdiction(&mut read).await?.is_some() {
        return Err(AppError::invalid("already_initialised", "database"));
    }
    read.rollback().await?;
    let system = Actor::system();
    let city = new_id();
    let mut cmd = Command::begin(app, &system, city, "setup.init").await?;
    cmd.insert(
        "jurisdictions",
        &[
            ("id", city.into()),
            ("parent_id", gongzhi_store::Value::Id(None)),
            ("level", "city".into()),
            ("code", init.city_code.trim().to_lowercase().into()),
            ("name_zh", init.city_name_zh.into()),
            ("name_en", init.city_name_en.into()),
            ("created_at", app.now().micros().into()),
        ],
    )
    .await?;
    let admin = insert_account(
        &mut cmd,
        app,
        &NewAccount {
            username: Some(init.admin_username),
            phone: None,
            display_name: init.admin_name,
            password: init.admin_password,
            locale: "zh-CN",
        },
    )
    .await?;
    insert_grant(&mut cmd, app, admin, city, "admin").await?;
    for spec in CATALOGUE {
        let value = gongzhi_domain::rulebook::parse_value(spec.key, spec.default)?;
        cmd.insert(
            "rule_versions",
            &[
                ("tenant_id", city.into()),
                ("id", new_id().into()),
                ("rule_key", spec.key.into()),
                ("value_json", value.to_json().to_string().into()),
                ("effective_from", "2000-01-01".into()),
                ("recorded_at", app.now().micros().into()),
                ("author_id", gongzhi_store::Value::Id(None)),
                ("reason", format!("default: {}", spec.source).into()),
            ],
        )
        .await?;
    }
    cmd.commit().await?;
    Ok((city, admin))
}

/// Records every other chain's head in the city chain, so that a later rewrite of a community's
/// chain would also have to rewrite the city's. Run at intervals (the server does it hourly) and
/// after seeding.
pub async fn anchor_heads(app: &App) -> Result<usize, AppError> {
    let mut read = app.db.read().await?;
    let root = repo::root_jurisdiction(&mut read)
        .await?
        .ok_or(AppError::NotFound("jurisdiction"))?;
    let heads = audit::heads(&mut read).await?;
    read.rollback().await?;
    let others: Vec<_> = heads
        .iter()
        .filter(|h| h.tenant_id != root.id)
        .map(|h| json!({"tenant": h.tenant_id.to_string(), "seq": h.seq, "hash": h.hash}))
        .collect();
    let system = Actor::system();
    let mut cmd = Command::begin(app, &system, root.id, "audit.anchor").await?;
    let n = others.len();
    cmd.detail("heads", others);
    cmd.commit().await?;
    Ok(n)
}

/// The chain head of a jurisdiction's tenant, for pages and printed notices.
pub async fn chain_head(app: &App, tenant: Uuid) -> Result<Option<audit::Head>, AppError> {
    let mut tx = app.db.reads().await?;
    let h = audit::head(&mut tx, tenant).await?;
    tx.rollback().await?;
    Ok(h)
}
