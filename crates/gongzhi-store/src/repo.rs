//! Named queries the use cases need. Writes go through `rows` (so they are imaged); these are reads,
//! plus the operational tables (sessions, login throttle) that are not part of the record.

use uuid::Uuid;

use crate::StoreError;
use crate::db::Tx;
use crate::schema::ColType::{self, Bool, Id, Int, Text};
use crate::value::{Row, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JurisdictionRow {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub level: String,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

const J_COLS: &str = "id, parent_id, level, code, name_zh, name_en";
const J_TYPES: [ColType; 6] = [Id, Id, Text, Text, Text, Text];

fn jurisdiction(r: Row) -> Result<JurisdictionRow, StoreError> {
    Ok(JurisdictionRow {
        id: r.id(0)?,
        parent_id: r.opt_id(1)?,
        level: r.text(2)?,
        code: r.text(3)?,
        name_zh: r.text(4)?,
        name_en: r.text(5)?,
    })
}

pub async fn jurisdiction_by_id(
    tx: &mut Tx,
    id: Uuid,
) -> Result<Option<JurisdictionRow>, StoreError> {
    tx.row(
        &format!("SELECT {J_COLS} FROM jurisdictions WHERE id = $1"),
        &[id.into()],
        &J_TYPES,
    )
    .await?
    .map(jurisdiction)
    .transpose()
}

pub async fn jurisdiction_by_code(
    tx: &mut Tx,
    code: &str,
) -> Result<Option<JurisdictionRow>, StoreError> {
    tx.row(
        &format!("SELECT {J_COLS} FROM jurisdictions WHERE code = $1"),
        &[code.into()],
        &J_TYPES,
    )
    .await?
    .map(jurisdiction)
    .transpose()
}

/// The places directly below a jurisdiction, by code.
pub async fn children(tx: &mut Tx, id: Uuid) -> Result<Vec<JurisdictionRow>, StoreError> {
    tx.rows(
        &format!("SELECT {J_COLS} FROM jurisdictions WHERE parent_id = $1 ORDER BY code"),
        &[id.into()],
        &J_TYPES,
    )
    .await?
    .into_iter()
    .map(jurisdiction)
    .collect()
}

pub async fn root_jurisdiction(tx: &mut Tx) -> Result<Option<JurisdictionRow>, StoreError> {
    tx.row(
        &format!("SELECT {J_COLS} FROM jurisdictions WHERE parent_id IS NULL ORDER BY id LIMIT 1"),
        &[],
        &J_TYPES,
    )
    .await?
    .map(jurisdiction)
    .transpose()
}

/// All jurisdictions in creation order (the tree is small: a city has thousands, not millions).
pub async fn all_jurisdictions(tx: &mut Tx) -> Result<Vec<JurisdictionRow>, StoreError> {
    tx.rows(
        &format!("SELECT {J_COLS} FROM jurisdictions ORDER BY id"),
        &[],
        &J_TYPES,
    )
    .await?
    .into_iter()
    .map(jurisdiction)
    .collect()
}

/// The walk up from the jurisdiction(s) `start` selects (`id` and a depth of 0) to the city,
/// nearest first.
fn ancestors_sql(start: &str) -> String {
    format!(
        "WITH RECURSIVE up(id, depth) AS ({start} UNION ALL SELECT j.parent_id, up.depth + 1 FROM jurisdictions j JOIN up ON j.id = up.id WHERE j.parent_id IS NOT NULL AND up.depth < 16) \
         SELECT {} FROM jurisdictions j JOIN up ON j.id = up.id ORDER BY up.depth",
        J_COLS
            .split(", ")
            .map(|c| format!("j.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// The jurisdiction and its ancestors, nearest first.
pub async fn ancestors(tx: &mut Tx, id: Uuid) -> Result<Vec<JurisdictionRow>, StoreError> {
    tx.rows(&ancestors_sql("SELECT $1, 0"), &[Value::from(id)], &J_TYPES)
        .await?
        .into_iter()
        .map(jurisdiction)
        .collect()
}

/// The jurisdiction with this code and its ancestors, nearest first (empty when no jurisdiction
/// has the code): one statement where a lookup by code and then by id would be two.
pub async fn ancestors_of_code(
    tx: &mut Tx,
    code: &str,
) -> Result<Vec<JurisdictionRow>, StoreError> {
    let sql = ancestors_sql("SELECT id, 0 FROM jurisdictions WHERE code = $1");
    tx.rows(&sql, &[Value::from(code)], &J_TYPES)
        .await?
        .into_iter()
        .map(jurisdiction)
        .collect()
}

/// The jurisdiction and everything below it (a community's groups and courtyards), top first.
pub async fn descendants(tx: &mut Tx, id: Uuid) -> Result<Vec<JurisdictionRow>, StoreError> {
    let sql = format!(
        "WITH RECURSIVE down(id, depth) AS (SELECT $1, 0 UNION ALL SELECT j.id, down.depth + 1 FROM jurisdictions j JOIN down ON j.parent_id = down.id WHERE down.depth < 16) \
         SELECT {} FROM jurisdictions j JOIN down ON j.id = down.id ORDER BY down.depth, j.code",
        J_COLS
            .split(", ")
            .map(|c| format!("j.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    tx.rows(&sql, &[Value::from(id)], &J_TYPES)
        .await?
        .into_iter()
        .map(jurisdiction)
        .collect()
}

#[derive(Debug, Clone)]
pub struct AccountRow {
    pub id: Uuid,
    pub username: Option<String>,
    pub phone: Option<String>,
    pub display_name: String,
    pub password_hash: String,
    pub locale: String,
    pub disabled: bool,
}

const A_COLS: &str = "id, username, phone, display_name, password_hash, locale, disabled";
const A_TYPES: [ColType; 7] = [Id, Text, Text, Text, Text, Text, Bool];

fn account(r: Row) -> Result<AccountRow, StoreError> {
    Ok(AccountRow {
        id: r.id(0)?,
        username: r.opt_text(1)?,
        phone: r.opt_text(2)?,
        display_name: r.text(3)?,
        password_hash: r.text(4)?,
        locale: r.text(5)?,
        disabled: r.bool(6)?,
    })
}

/// Accounts a login identifier may name: the account with that username, or the accounts with
/// that phone number (families share phones, so there may be several).
pub async fn accounts_for_login(
    tx: &mut Tx,
    username: &str,
    phone: Option<&str>,
) -> Result<Vec<AccountRow>, StoreError> {
    let rows = tx
        .rows(
            &format!("SELECT {A_COLS} FROM accounts WHERE username = $1 OR (phone IS NOT NULL AND phone = $2) ORDER BY id LIMIT 8"),
            &[username.into(), Value::from(phone)],
            &A_TYPES,
        )
        .await?;
    rows.into_iter().map(account).collect()
}

pub async fn account_by_id(tx: &mut Tx, id: Uuid) -> Result<Option<AccountRow>, StoreError> {
    tx.row(
        &format!("SELECT {A_COLS} FROM accounts WHERE id = $1"),
        &[id.into()],
        &A_TYPES,
    )
    .await?
    .map(account)
    .transpose()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub jurisdiction_id: Uuid,
    pub role: String,
}

pub async fn active_grants(tx: &mut Tx, account_id: Uuid) -> Result<Vec<GrantRow>, StoreError> {
    tx.rows(
        "SELECT tenant_id, id, jurisdiction_id, role FROM role_grants WHERE account_id = $1 AND voided_at IS NULL ORDER BY id",
        &[account_id.into()],
        &[Id, Id, Id, Text],
    )
    .await?
    .into_iter()
    .map(|r| Ok(GrantRow { tenant_id: r.id(0)?, id: r.id(1)?, jurisdiction_id: r.id(2)?, role: r.text(3)? }))
    .collect()
}

/// The enabled accounts holding one of `roles` at one of `places`, by name: (id, display name).
/// One statement, for forms that hand work to a colleague.
pub async fn accounts_with_role_in(
    tx: &mut Tx,
    places: &[Uuid],
    roles: &[&str],
) -> Result<Vec<(Uuid, String)>, StoreError> {
    if places.is_empty() || roles.is_empty() {
        return Ok(Vec::new());
    }
    let mut args: Vec<Value> = places.iter().map(|p| (*p).into()).collect();
    let place_marks = (1..=places.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    args.extend(roles.iter().map(|r| (*r).into()));
    let role_marks = (places.len() + 1..=args.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    tx.rows(
        &format!(
            "SELECT DISTINCT a.id, a.display_name FROM role_grants g JOIN accounts a ON a.id = g.account_id \
             WHERE g.jurisdiction_id IN ({place_marks}) AND g.role IN ({role_marks}) \
               AND g.voided_at IS NULL AND a.disabled = FALSE ORDER BY a.display_name, a.id"
        ),
        &args,
        &[Id, Text],
    )
    .await?
    .into_iter()
    .map(|r| Ok((r.id(0)?, r.text(1)?)))
    .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeRow {
    pub id: Uuid,
    pub jurisdiction_id: Uuid,
    pub office: String,
    pub account_id: Uuid,
    pub holder_name: String,
    pub term_start: String,
    pub term_end: Option<String>,
}

pub async fn offices_in(tx: &mut Tx, tenant_id: Uuid) -> Result<Vec<OfficeRow>, StoreError> {
    tx.rows(
        "SELECT o.id, o.jurisdiction_id, o.office, o.account_id, a.display_name, o.term_start, o.term_end \
         FROM offices o JOIN accounts a ON a.id = o.account_id WHERE o.tenant_id = $1 AND o.voided_at IS NULL ORDER BY o.office, o.id",
        &[tenant_id.into()],
        &[Id, Id, Text, Id, Text, Text, Text],
    )
    .await?
    .into_iter()
    .map(|r| {
        Ok(OfficeRow {
            id: r.id(0)?,
            jurisdiction_id: r.id(1)?,
            office: r.text(2)?,
            account_id: r.id(3)?,
            holder_name: r.text(4)?,
            term_start: r.text(5)?,
            term_end: r.opt_text(6)?,
        })
    })
    .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentRow {
    pub id: Uuid,
    pub name: String,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub courtyard_id: Option<Uuid>,
    pub merged_into: Option<Uuid>,
}

const R_TYPES: [ColType; 6] = [Id, Text, Text, Text, Id, Id];

fn resident_row(r: Row) -> Result<ResidentRow, StoreError> {
    Ok(ResidentRow {
        id: r.id(0)?,
        name: r.text(1)?,
        phone: r.opt_text(2)?,
        id_number: r.opt_text(3)?,
        courtyard_id: r.opt_id(4)?,
        merged_into: r.opt_id(5)?,
    })
}

/// Current residents of a community (not merged away, not voided), in registration order.
pub async fn residents(
    tx: &mut Tx,
    tenant_id: Uuid,
    limit: i64,
) -> Result<Vec<ResidentRow>, StoreError> {
    tx.rows(
        "SELECT id, name, phone, id_number, courtyard_id, merged_into FROM residents \
         WHERE tenant_id = $1 AND merged_into IS NULL AND voided_at IS NULL ORDER BY id LIMIT $2",
        &[tenant_id.into(), limit.into()],
        &R_TYPES,
    )
    .await?
    .into_iter()
    .map(resident_row)
    .collect()
}

/// Which residents of a community a register page shows.
#[derive(Debug, Clone, Default)]
pub struct ResidentFilter {
    /// Part of a name or a phone number (empty: everyone).
    pub text: String,
    pub courtyard_id: Option<Uuid>,
    /// The page after this resident (keyset paging by id).
    pub after: Option<Uuid>,
    pub limit: i64,
}

/// A page of a community's residents matching `f`, in a stable order (by id).
pub async fn residents_matching(
    tx: &mut Tx,
    tenant_id: Uuid,
    f: &ResidentFilter,
) -> Result<Vec<ResidentRow>, StoreError> {
    let mut sql = String::from(
        "SELECT id, name, phone, id_number, courtyard_id, merged_into FROM residents \
         WHERE tenant_id = $1 AND merged_into IS NULL AND voided_at IS NULL",
    );
    let mut args: Vec<Value> = vec![tenant_id.into()];
    let text = f.text.trim();
    if !text.is_empty() {
        args.push(crate::search::like_pattern(text).into());
        let n = args.len();
        sql.push_str(&format!(
            " AND (LOWER(name) LIKE ${n} ESCAPE '\\' OR phone LIKE ${n} ESCAPE '\\')"
        ));
    }
    if let Some(c) = f.courtyard_id {
        args.push(c.into());
        sql.push_str(&format!(" AND courtyard_id = ${}", args.len()));
    }
    if let Some(after) = f.after {
        args.push(after.into());
        sql.push_str(&format!(" AND id > ${}", args.len()));
    }
    args.push(f.limit.into());
    sql.push_str(&format!(" ORDER BY id LIMIT ${}", args.len()));
    tx.rows(&sql, &args, &R_TYPES)
        .await?
        .into_iter()
        .map(resident_row)
        .collect()
}

pub async fn resident(
    tx: &mut Tx,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<Option<ResidentRow>, StoreError> {
    tx.row(
        "SELECT id, name, phone, id_number, courtyard_id, merged_into FROM residents WHERE tenant_id = $1 AND id = $2 AND voided_at IS NULL",
        &[tenant_id.into(), id.into()],
        &R_TYPES,
    )
    .await?
    .map(resident_row)
    .transpose()
}

pub async fn count_residents(tx: &mut Tx, tenant_id: Uuid) -> Result<i64, StoreError> {
    let r = tx
        .row(
            "SELECT COUNT(*) FROM residents WHERE tenant_id = $1 AND merged_into IS NULL AND voided_at IS NULL",
            &[tenant_id.into()],
            &[Int],
        )
        .await?;
    r.map(|r| r.int(0))
        .transpose()
        .map(Option::unwrap_or_default)
}

pub async fn memberships_of(
    tx: &mut Tx,
    tenant_id: Uuid,
    resident_id: Uuid,
) -> Result<Vec<(Uuid, Uuid, bool)>, StoreError> {
    tx.rows(
        "SELECT id, household_id, representative FROM household_members WHERE tenant_id = $1 AND resident_id = $2 AND to_date IS NULL ORDER BY id",
        &[tenant_id.into(), resident_id.into()],
        &[Id, Id, Bool],
    )
    .await?
    .into_iter()
    .map(|r| Ok((r.id(0)?, r.id(1)?, r.bool(2)?)))
    .collect()
}

/// The households of a community that are not voided, by building, unit and room.
pub async fn household_ids(tx: &mut Tx, tenant_id: Uuid) -> Result<Vec<Uuid>, StoreError> {
    tx.rows(
        "SELECT h.id FROM households h JOIN buildings b ON b.tenant_id = h.tenant_id AND b.id = h.building_id \
         WHERE h.tenant_id = $1 AND h.voided_at IS NULL ORDER BY b.label, h.unit, h.room",
        &[tenant_id.into()],
        &[Id],
    )
    .await?
    .into_iter()
    .map(|r| r.id(0))
    .collect()
}

pub async fn representatives_of(
    tx: &mut Tx,
    tenant_id: Uuid,
    household_id: Uuid,
) -> Result<Vec<Uuid>, StoreError> {
    tx.rows(
        "SELECT id FROM household_members WHERE tenant_id = $1 AND household_id = $2 AND representative = $3 AND to_date IS NULL",
        &[tenant_id.into(), household_id.into(), true.into()],
        &[Id],
    )
    .await?
    .into_iter()
    .map(|r| r.id(0))
    .collect()
}

pub async fn building(
    tx: &mut Tx,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<Option<(Uuid, String)>, StoreError> {
    tx.row(
        "SELECT courtyard_id, label FROM buildings WHERE tenant_id = $1 AND id = $2",
        &[tenant_id.into(), id.into()],
        &[Id, Text],
    )
    .await?
    .map(|r| Ok((r.id(0)?, r.text(1)?)))
    .transpose()
}

pub async fn building_by_label(
    tx: &mut Tx,
    tenant_id: Uuid,
    courtyard_id: Uuid,
    label: &str,
) -> Result<Option<Uuid>, StoreError> {
    tx.row(
        "SELECT id FROM buildings WHERE tenant_id = $1 AND courtyard_id = $2 AND label = $3",
        &[tenant_id.into(), courtyard_id.into(), label.into()],
        &[Id],
    )
    .await?
    .map(|r| r.id(0))
    .transpose()
}

pub async fn household_by_address(
    tx: &mut Tx,
    tenant_id: Uuid,
    building_id: Uuid,
    unit: &str,
    room: &str,
) -> Result<Option<Uuid>, StoreError> {
    tx.row(
        "SELECT id FROM households WHERE tenant_id = $1 AND building_id = $2 AND unit = $3 AND room = $4",
        &[tenant_id.into(), building_id.into(), unit.into(), room.into()],
        &[Id],
    )
    .await?
    .map(|r| r.id(0))
    .transpose()
}

pub async fn household_exists(tx: &mut Tx, tenant_id: Uuid, id: Uuid) -> Result<bool, StoreError> {
    crate::rows::exists(
        tx,
        "households",
        "tenant_id = $1 AND id = $2 AND voided_at IS NULL",
        &[tenant_id.into(), id.into()],
    )
    .await
}

/// Every stored version of `key` on any of the given jurisdictions.
pub async fn rule_versions(
    tx: &mut Tx,
    jurisdictions: &[Uuid],
    key: &str,
) -> Result<Vec<(Uuid, String, String, i64)>, StoreError> {
    Ok(rule_versions_where(tx, jurisdictions, Some(key))
        .await?
        .into_iter()
        .map(|(_, owner, json, from, at)| (owner, json, from, at))
        .collect())
}

/// Every version of every rule recorded by these jurisdictions: (key, owner, value, effective
/// from, recorded at), for a page showing the whole rulebook in force.
pub async fn rule_versions_of_chain(
    tx: &mut Tx,
    jurisdictions: &[Uuid],
) -> Result<Vec<(String, Uuid, String, String, i64)>, StoreError> {
    rule_versions_where(tx, jurisdictions, None).await
}

/// One statement for a chain of jurisdictions (a lookup per level would be one round trip
/// each, and every command reads rules).
async fn rule_versions_where(
    tx: &mut Tx,
    jurisdictions: &[Uuid],
    key: Option<&str>,
) -> Result<Vec<(String, Uuid, String, String, i64)>, StoreError> {
    if jurisdictions.is_empty() {
        return Ok(Vec::new());
    }
    let mut args: Vec<Value> = jurisdictions.iter().map(|j| Value::from(*j)).collect();
    let owners: Vec<String> = (1..=args.len()).map(|i| format!("${i}")).collect();
    let mut sql = format!(
        "SELECT rule_key, tenant_id, value_json, effective_from, recorded_at FROM rule_versions WHERE tenant_id IN ({})",
        owners.join(", ")
    );
    if let Some(k) = key {
        args.push(k.into());
        sql.push_str(&format!(" AND rule_key = ${}", args.len()));
    }
    tx.rows(&sql, &args, &[Text, Id, Text, Text, Int])
        .await?
        .into_iter()
        .map(|r| Ok((r.text(0)?, r.id(1)?, r.text(2)?, r.text(3)?, r.int(4)?)))
        .collect()
}

// ---- operational tables: sessions and login throttling (not audited, not exported) ----

pub async fn session_insert(
    tx: &mut Tx,
    token_hash: &str,
    account_id: Uuid,
    now: i64,
    expires: i64,
) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        &[token_hash.into(), account_id.into(), now.into(), expires.into()],
    )
    .await?;
    Ok(())
}

/// The account and acting-for resident of a live session.
/// A live session's account, whom it acts for, and the account's active grants (role,
/// jurisdiction): one statement outside any transaction, since every signed-in request makes it.
pub async fn session_actor(
    db: &crate::Db,
    token_hash: &str,
    now: i64,
) -> Result<Option<(AccountRow, Option<Uuid>, Vec<(String, Uuid)>)>, StoreError> {
    let cols = A_COLS
        .split(", ")
        .map(|c| format!("a.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut types = A_TYPES.to_vec();
    types.extend([Id, Text, Id]);
    let rows = db
        .rows_now(
            &format!(
                "SELECT {cols}, s.acting_for, g.role, g.jurisdiction_id FROM sessions s \
                 JOIN accounts a ON a.id = s.account_id \
                 LEFT JOIN role_grants g ON g.account_id = a.id AND g.voided_at IS NULL \
                 WHERE s.token_hash = $1 AND s.expires_at > $2 ORDER BY g.id"
            ),
            &[token_hash.into(), now.into()],
            &types,
        )
        .await?;
    let n = A_TYPES.len();
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let acting_for = first.opt_id(n)?;
    let mut grants = Vec::new();
    for r in &rows {
        if let (Some(role), Some(j)) = (r.opt_text(n + 1)?, r.opt_id(n + 2)?) {
            grants.push((role, j));
        }
    }
    let mut head = Row(first.0[..n].to_vec());
    head.0.truncate(n);
    Ok(Some((account(head)?, acting_for, grants)))
}

/// Sets (or clears) the resident a session acts for: staff assisting a resident. Returns
/// whether the session exists.
pub async fn session_set_acting_for(
    tx: &mut Tx,
    token_hash: &str,
    resident: Option<Uuid>,
) -> Result<bool, StoreError> {
    Ok(tx
        .exec(
            "UPDATE sessions SET acting_for = $2 WHERE token_hash = $1",
            &[token_hash.into(), resident.into()],
        )
        .await?
        == 1)
}

/// A resident found by id alone, in any community: (community, name, courtyard), not voided.
pub async fn resident_anywhere(
    tx: &mut Tx,
    id: Uuid,
) -> Result<Option<(Uuid, String, Option<Uuid>)>, StoreError> {
    tx.row(
        "SELECT tenant_id, name, courtyard_id FROM residents WHERE id = $1 AND voided_at IS NULL AND merged_into IS NULL",
        &[id.into()],
        &[Id, Text, Id],
    )
    .await?
    .map(|r| Ok((r.id(0)?, r.text(1)?, r.opt_id(2)?)))
    .transpose()
}

pub async fn session_delete(tx: &mut Tx, token_hash: &str) -> Result<(), StoreError> {
    tx.exec(
        "DELETE FROM sessions WHERE token_hash = $1",
        &[token_hash.into()],
    )
    .await?;
    Ok(())
}

pub async fn sessions_delete_for_account(
    tx: &mut Tx,
    account_id: Uuid,
    except: Option<&str>,
) -> Result<(), StoreError> {
    tx.exec(
        "DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2",
        &[account_id.into(), except.unwrap_or("").into()],
    )
    .await?;
    Ok(())
}

/// (failures, window_start, locked_until) for a throttle key.
pub async fn throttle_get(
    tx: &mut Tx,
    key: &str,
) -> Result<Option<(i64, i64, Option<i64>)>, StoreError> {
    tx.row(
        "SELECT failures, window_start, locked_until FROM login_throttle WHERE throttle_key = $1",
        &[key.into()],
        &[Int, Int, Int],
    )
    .await?
    .map(|r| Ok((r.int(0)?, r.int(1)?, r.opt_int(2)?)))
    .transpose()
}

pub async fn throttle_put(
    tx: &mut Tx,
    key: &str,
    failures: i64,
    window_start: i64,
    locked_until: Option<i64>,
) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO login_throttle (throttle_key, failures, window_start, locked_until) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (throttle_key) DO UPDATE SET failures = $2, window_start = $3, locked_until = $4",
        &[key.into(), failures.into(), window_start.into(), Value::from(locked_until)],
    )
    .await?;
    Ok(())
}

/// Counts one more attempt on a throttle key, atomically (one statement: concurrent attempts are
/// serialised on the key's row on both backends), restarting the count when the window that
/// began before `window_from` has passed. Returns (attempts in the window, locked_until).
pub async fn throttle_reserve(
    tx: &mut Tx,
    key: &str,
    now: i64,
    window_from: i64,
) -> Result<(i64, Option<i64>), StoreError> {
    let row = tx
        .row(
            "INSERT INTO login_throttle (throttle_key, failures, window_start, locked_until) \
             VALUES ($1, 1, $2, NULL) \
             ON CONFLICT (throttle_key) DO UPDATE SET \
               failures = CASE WHEN login_throttle.window_start < $3 THEN 1 \
                          ELSE login_throttle.failures + 1 END, \
               window_start = CASE WHEN login_throttle.window_start < $3 THEN $2 \
                              ELSE login_throttle.window_start END \
             RETURNING failures, locked_until",
            &[key.into(), now.into(), window_from.into()],
            &[Int, Int],
        )
        .await?
        .ok_or_else(|| StoreError::Data("the throttle upsert returned no row".into()))?;
    Ok((row.int(0)?, row.opt_int(1)?))
}

/// Locks a throttle key until `until` (keeping a later lock).
pub async fn throttle_lock(tx: &mut Tx, key: &str, until: i64) -> Result<(), StoreError> {
    tx.exec(
        "UPDATE login_throttle SET locked_until = $2 \
         WHERE throttle_key = $1 AND (locked_until IS NULL OR locked_until < $2)",
        &[key.into(), until.into()],
    )
    .await?;
    Ok(())
}

/// Gives back one reserved attempt (a login that succeeded is not a failure).
pub async fn throttle_release(tx: &mut Tx, key: &str) -> Result<(), StoreError> {
    tx.exec(
        "UPDATE login_throttle SET failures = failures - 1 WHERE throttle_key = $1 AND failures > 0",
        &[key.into()],
    )
    .await?;
    Ok(())
}

pub async fn throttle_clear(tx: &mut Tx, key: &str) -> Result<(), StoreError> {
    tx.exec(
        "DELETE FROM login_throttle WHERE throttle_key = $1",
        &[key.into()],
    )
    .await?;
    Ok(())
}

/// (media type, content) of an upload.
pub async fn upload(
    tx: &mut Tx,
    tenant_id: Uuid,
    sha256: &str,
) -> Result<Option<(String, Vec<u8>)>, StoreError> {
    tx.row(
        "SELECT media_type, content FROM uploads WHERE tenant_id = $1 AND sha256 = $2",
        &[tenant_id.into(), sha256.into()],
        &[Text, ColType::Bytes],
    )
    .await?
    .map(|r| Ok((r.text(0)?, r.bytes(1)?)))
    .transpose()
}

/// A record an upload is attached to, as far as who may read the file is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attachment {
    /// Public evidence: a project's progress photo, a quote, its contract (staff put them there).
    Public,
    /// The invoice of an expense on a budget at this place, with the expense's pinned signers
    /// (who must see what they sign).
    Invoice {
        place: Uuid,
        signers_json: Option<String>,
    },
    /// A photo of a need reported at this place, by this account.
    NeedPhoto { place: Uuid, reporter: Option<Uuid> },
}

/// Who uploaded a file and every record it is attached to (one statement).
pub async fn upload_attachments(
    tx: &mut Tx,
    tenant: Uuid,
    sha256: &str,
) -> Result<Option<(Option<Uuid>, Vec<Attachment>)>, StoreError> {
    let rows = tx
        .rows(
            "SELECT 'uploader', CAST(NULL AS UUID), u.uploaded_by, CAST(NULL AS TEXT) FROM uploads u \
               WHERE u.tenant_id = $1 AND u.sha256 = $2 \
             UNION ALL SELECT 'public', NULL, NULL, NULL FROM project_updates x \
               WHERE x.tenant_id = $1 AND x.photo_sha256 = $2 \
             UNION ALL SELECT 'public', NULL, NULL, NULL FROM project_quotes x \
               WHERE x.tenant_id = $1 AND x.document_sha256 = $2 \
             UNION ALL SELECT 'public', NULL, NULL, NULL FROM projects x \
               WHERE x.tenant_id = $1 AND x.contract_sha256 = $2 \
             UNION ALL SELECT 'invoice', b.jurisdiction_id, NULL, e.signers_json FROM expenses e \
               JOIN budgets b ON b.tenant_id = e.tenant_id AND b.id = e.budget_id \
               WHERE e.tenant_id = $1 AND e.document_sha256 = $2 \
             UNION ALL SELECT 'need', n.jurisdiction_id, n.reporter_account_id, NULL \
               FROM need_photos p JOIN needs n ON n.tenant_id = p.tenant_id AND n.id = p.need_id \
               WHERE p.tenant_id = $1 AND p.sha256 = $2",
            &[tenant.into(), sha256.into()],
            &[Text, Id, Id, Text],
        )
        .await?;
    let mut uploader = None;
    let mut found = false;
    let mut attached = Vec::new();
    for r in rows {
        match r.text(0)?.as_str() {
            "uploader" => {
                found = true;
                uploader = r.opt_id(2)?;
            }
            "public" => attached.push(Attachment::Public),
            "invoice" => attached.push(Attachment::Invoice {
                place: r.id(1)?,
                signers_json: r.opt_text(3)?,
            }),
            _ => attached.push(Attachment::NeedPhoto {
                place: r.id(1)?,
                reporter: r.opt_id(2)?,
            }),
        }
    }
    Ok(found.then_some((uploader, attached)))
}

/// Bytes uploaded since `since`: in the community, and by `account` there.
pub async fn uploaded_since(
    tx: &mut Tx,
    tenant: Uuid,
    account: Option<Uuid>,
    since: i64,
) -> Result<(i64, i64), StoreError> {
    let r = tx
        .row(
            "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT), \
                    CAST(COALESCE(SUM(CASE WHEN uploaded_by = $3 THEN size ELSE 0 END), 0) AS BIGINT) \
             FROM uploads WHERE tenant_id = $1 AND uploaded_at >= $2",
            &[tenant.into(), since.into(), Value::from(account)],
            &[Int, Int],
        )
        .await?
        .ok_or_else(|| StoreError::Data("an aggregate returned no row".into()))?;
    Ok((r.int(0)?, r.int(1)?))
}
