use gongzhi_domain::rulebook::{self, RuleValue, RuleVersion};
use gongzhi_domain::time::{Instant, format_date, parse_date};
use gongzhi_store::{Tx, repo};
use time::Date;
use uuid::Uuid;

use crate::authz::{Actor, Permission};
use crate::command::{Command, Target};
use crate::{App, AppError, new_id};

/// Records a new version of a rule for a jurisdiction, effective from a date. Old versions stay:
/// processes that pinned the rulebook before keep their rules.
pub async fn set_rule(
    app: &App,
    actor: &Actor,
    jurisdiction: Uuid,
    key: &str,
    value_json: &str,
    effective_from: &str,
    reason: &str,
) -> Result<Uuid, AppError> {
    let value = rulebook::parse_value(key, value_json)?;
    let effective = parse_date(effective_from)
        .ok_or_else(|| AppError::invalid("date_invalid", "effective_from"))?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid("reason_required", "reason"));
    }
    let mut cmd = Command::on(app, actor, Target::Tenant(jurisdiction), "rule.set").await?;
    let read = &mut cmd.tx;
    actor
        .require(read, Permission::SetRules, jurisdiction)
        .await?;
    let j = repo::jurisdiction_by_id(read, jurisdiction)
        .await?
        .ok_or(AppError::NotFound("jurisdiction"))?;
    if !gongzhi_domain::place::Level::parse(&j.level)?.is_tenant() {
        return Err(AppError::invalid(
            "rule_needs_community_or_above",
            "jurisdiction_id",
        ));
    }
    let id = new_id();
    cmd.insert(
        "rule_versions",
        &[
            ("tenant_id", jurisdiction.into()),
            ("id", id.into()),
            ("rule_key", key.into()),
            // Store the normalised value, so equal rules are equal text.
            ("value_json", value.to_json().to_string().into()),
            ("effective_from", format_date(effective).into()),
            ("recorded_at", app.now().micros().into()),
            ("author_id", actor.account_id.into()),
            ("reason", reason.into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// The value of `key` in force for `jurisdiction` on `on`, as the rulebook stood at `pinned_at`
/// (the instant the process asking opened). Inherited from the nearest ancestor that sets it.
pub async fn rule_in_force(
    tx: &mut Tx,
    jurisdiction: Uuid,
    key: &str,
    on: Date,
    pinned_at: Instant,
) -> Result<RuleValue, AppError> {
    let chain = repo::ancestors(tx, jurisdiction).await?;
    rule_in_chain(tx, &chain, key, on, pinned_at).await
}

/// The same for a jurisdiction whose chain (itself, then its ancestors) the caller has read.
pub async fn rule_in_chain(
    tx: &mut Tx,
    chain: &[repo::JurisdictionRow],
    key: &str,
    on: Date,
    pinned_at: Instant,
) -> Result<RuleValue, AppError> {
    let ids: Vec<Uuid> = chain.iter().map(|j| j.id).collect();
    let stored = repo::rule_versions(tx, &ids, key).await?;
    resolve_stored(&ids, key, stored, on, pinned_at)
}

/// The value in force today, for a page, from the process's copy of the chain's rule versions
/// (`reference`: this process's own rule changes are seen at once, another's within seconds).
/// Commands read with `rule_in_chain`, in their transaction.
pub async fn rule_for_page(
    app: &App,
    read: &mut Tx,
    chain: &[repo::JurisdictionRow],
    key: &str,
) -> Result<RuleValue, AppError> {
    let now = app.now();
    let ids: Vec<Uuid> = chain.iter().map(|j| j.id).collect();
    let stored = app
        .reference
        .rules_of_chain(read, chain)
        .await?
        .iter()
        .filter(|(k, ..)| k == key)
        .map(|(_, owner, json, from, at)| (*owner, json.clone(), from.clone(), *at))
        .collect();
    resolve_stored(&ids, key, stored, now.china_date(), now)
}

/// The value in force among a rule's stored versions (owner, value, effective from, recorded
/// at), `ids` being the chain nearest first.
fn resolve_stored(
    ids: &[Uuid],
    key: &str,
    stored: Vec<(Uuid, String, String, i64)>,
    on: Date,
    pinned_at: Instant,
) -> Result<RuleValue, AppError> {
    let versions: Vec<RuleVersion> = stored
        .into_iter()
        .filter_map(|(owner, json, eff, rec)| {
            Some(RuleVersion {
                jurisdiction_depth: ids.iter().position(|i| *i == owner)?,
                effective_from: parse_date(&eff)?,
                recorded_at: Instant::from_micros(rec),
                value_json: json,
            })
        })
        .collect();
    if versions.is_empty() {
        // A rule added by a later release: its catalogue default applies until a jurisdiction
        // records a version (databases initialised earlier have no version of it).
        if let Some(spec) = rulebook::spec(key) {
            return Ok(rulebook::parse_value(key, spec.default)?);
        }
    }
    let chosen = rulebook::resolve(&versions, on, pinned_at).ok_or_else(|| {
        AppError::Invalid(gongzhi_domain::DomainError::new("rule_missing").arg("key", key))
    })?;
    Ok(rulebook::parse_value(key, &chosen.value_json)?)
}

/// Every catalogued rule's value in force today for a jurisdiction, for the rulebook page.
pub async fn rulebook_today(
    app: &App,
    jurisdiction: Uuid,
) -> Result<Vec<(&'static rulebook::RuleSpec, Option<RuleValue>)>, AppError> {
    // Two statements whatever the catalogue's size: the chain, then every version it recorded.
    let mut tx = app.db.reads().await?;
    let chain = repo::ancestors(&mut tx, jurisdiction).await?;
    let ids: Vec<Uuid> = chain.iter().map(|j| j.id).collect();
    let mut stored = repo::rule_versions_of_chain(&mut tx, &ids).await?;
    let now = app.now();
    let mut out = Vec::new();
    for spec in rulebook::CATALOGUE {
        let (mine, rest): (Vec<_>, Vec<_>) = stored.into_iter().partition(|v| v.0 == spec.key);
        stored = rest;
        let mine = mine
            .into_iter()
            .map(|(_, owner, json, from, at)| (owner, json, from, at))
            .collect();
        let v = resolve_stored(&ids, spec.key, mine, now.china_date(), now).ok();
        out.push((spec, v));
    }
    Ok(out)
}
