use std::collections::HashMap;

use gongzhi_domain::DomainError;
use gongzhi_domain::person::{IdNumber, PersonName, Phone, duplicate_key};
use gongzhi_domain::time::format_date;
use gongzhi_store::repo::{self, ResidentRow};
use gongzhi_store::{Tx, Value};
use uuid::Uuid;

use crate::authz::{Actor, Permission};
use crate::command::{Command, Target, tenant_of};
use crate::places::check_inside;
use crate::{App, AppError, new_id};

/// A resident as staff enter them. Everything but the name is optional: an elderly resident
/// without a phone is still a resident.
#[derive(Debug, Clone, Default)]
pub struct NewResident {
    pub name: String,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub courtyard_id: Option<Uuid>,
    pub household_id: Option<Uuid>,
    pub representative: bool,
    /// The resident's own account, when they sign in (to vote and object as themselves).
    pub account_id: Option<Uuid>,
    /// The household by its address in the courtyard (楼栋, 单元, 户), when staff type it
    /// instead of choosing a household: it must already be registered.
    pub household_address: Option<(String, String, String)>,
}

struct CheckedResident {
    name: PersonName,
    phone: Option<Phone>,
    id_number: Option<IdNumber>,
}

fn check_resident(new: &NewResident) -> Result<CheckedResident, DomainError> {
    let blank = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Ok(CheckedResident {
        name: PersonName::parse(&new.name)?,
        phone: blank(&new.phone).map(|p| Phone::parse(&p)).transpose()?,
        id_number: blank(&new.id_number)
            .map(|i| IdNumber::parse(&i))
            .transpose()?,
    })
}

async fn insert_resident(
    cmd: &mut Command<'_>,
    app: &App,
    community: Uuid,
    new: &NewResident,
    checked: CheckedResident,
) -> Result<Uuid, AppError> {
    let id = new_id();
    cmd.insert(
        "residents",
        &[
            ("tenant_id", community.into()),
            ("id", id.into()),
            ("name", checked.name.as_str().into()),
            (
                "phone",
                Value::from(checked.phone.map(|p| p.as_str().to_string())),
            ),
            (
                "id_number",
                Value::from(checked.id_number.map(|i| i.as_str().to_string())),
            ),
            ("courtyard_id", Value::from(new.courtyard_id)),
            ("account_id", Value::from(new.account_id)),
            ("created_at", app.now().micros().into()),
        ],
    )
    .await?;
    if let Some(household) = new.household_id {
        add_membership(cmd, app, community, household, id, new.representative).await?;
    }
    Ok(id)
}

async fn add_membership(
    cmd: &mut Command<'_>,
    app: &App,
    community: Uuid,
    household: Uuid,
    resident: Uuid,
    representative: bool,
) -> Result<(), AppError> {
    if !repo::household_exists(&mut cmd.tx, community, household).await? {
        return Err(AppError::invalid("household_not_found", "household_id"));
    }
    if representative {
        // One representative per household: the previous one steps down.
        for member in repo::representatives_of(&mut cmd.tx, community, household).await? {
            cmd.update(
                "household_members",
                &[community.into(), member.into()],
                &[("representative", false.into())],
            )
            .await?;
        }
    }
    cmd.insert(
        "household_members",
        &[
            ("tenant_id", community.into()),
            ("id", new_id().into()),
            ("household_id", household.into()),
            ("resident_id", resident.into()),
            ("representative", representative.into()),
            ("from_date", format_date(app.now().china_date()).into()),
        ],
    )
    .await
}

/// The registered household at an address (楼栋-单元-户) of a courtyard.
async fn household_at(
    tx: &mut Tx,
    community: Uuid,
    courtyard: Option<Uuid>,
    (building, unit, room): &(String, String, String),
) -> Result<Uuid, AppError> {
    let courtyard =
        courtyard.ok_or_else(|| AppError::invalid("household_needs_courtyard", "courtyard_id"))?;
    let building = repo::building_by_label(tx, community, courtyard, building.trim())
        .await?
        .ok_or_else(|| {
            AppError::Invalid(
                DomainError::field("building_not_found", "building").arg("value", building.trim()),
            )
        })?;
    repo::household_by_address(tx, community, building, unit.trim(), room.trim())
        .await?
        .ok_or_else(|| AppError::invalid("household_not_found", "room"))
}

/// Registers a resident of a community, entered by staff (possibly on the resident's behalf).
pub async fn register_resident(
    app: &App,
    actor: &Actor,
    community: Uuid,
    new: &NewResident,
) -> Result<Uuid, AppError> {
    let checked = check_resident(new)?;
    let mut cmd = Command::on(app, actor, Target::Tenant(community), "resident.register").await?;
    let read = &mut cmd.tx;
    actor
        .require(read, Permission::ManageResidents, community)
        .await?;
    if tenant_of(read, community).await? != community {
        return Err(AppError::invalid("not_a_community", "community_id"));
    }
    if let Some(c) = new.courtyard_id {
        check_inside(read, community, c).await?;
    }
    let household = match &new.household_address {
        Some(address) => Some(household_at(read, community, new.courtyard_id, address).await?),
        None => new.household_id,
    };
    let new = &NewResident {
        household_id: household,
        ..new.clone()
    };
    let id = insert_resident(&mut cmd, app, community, new, checked).await?;
    cmd.commit().await?;
    Ok(id)
}

/// Lists a community's residents with their personal data, for entitled staff. The read itself is
/// recorded in the audit chain (who looked, at how many records), as PIPL asks.
pub async fn list_residents(
    app: &App,
    actor: &Actor,
    community: Uuid,
    limit: i64,
) -> Result<Vec<ResidentRow>, AppError> {
    let mut read = app.db.read().await?;
    actor
        .require(&mut read, Permission::ReadPersonal, community)
        .await?;
    let rows = repo::residents(&mut read, community, limit.clamp(1, 10_000)).await?;
    read.rollback().await?;
    let mut cmd = Command::begin(app, actor, community, "personal_data.read").await?;
    cmd.detail("records", rows.len());
    cmd.detail("what", "resident list");
    cmd.commit().await?;
    Ok(rows)
}

pub use gongzhi_store::repo::ResidentFilter;

/// A page of a community's register for entitled staff: residents whose name or phone contains
/// `filter.text` (at most 60 characters), in a courtyard, after a resident (one page at most 200). The read is recorded
/// in the audit chain (who looked, how many records, whether it was a search — never the words
/// searched, which may be a phone number).
pub async fn find_residents(
    app: &App,
    actor: &Actor,
    community: Uuid,
    filter: &ResidentFilter,
) -> Result<Vec<ResidentRow>, AppError> {
    if filter.text.chars().count() > 60 {
        return Err(AppError::invalid("search_too_long", "q"));
    }
    let filter = ResidentFilter {
        limit: filter.limit.clamp(1, 200),
        ..filter.clone()
    };
    let mut read = app.db.read().await?;
    actor
        .require(&mut read, Permission::ReadPersonal, community)
        .await?;
    let rows = repo::residents_matching(&mut read, community, &filter).await?;
    read.rollback().await?;
    let mut cmd = Command::begin(app, actor, community, "personal_data.read").await?;
    cmd.detail("records", rows.len());
    cmd.detail("what", "resident register");
    cmd.detail("searched", !filter.text.trim().is_empty());
    cmd.commit().await?;
    Ok(rows)
}

/// Groups of residents who may be the same person: same name and phone, or same ID number.
/// Staff decide; nothing is merged automatically.
pub async fn possible_duplicates(
    app: &App,
    actor: &Actor,
    community: Uuid,
) -> Result<Vec<Vec<ResidentRow>>, AppError> {
    let rows = list_residents(app, actor, community, 10_000).await?;
    let mut groups: HashMap<String, Vec<ResidentRow>> = HashMap::new();
    for r in rows {
        let name = PersonName::parse(&r.name).ok();
        let phone = r.phone.as_deref().and_then(|p| Phone::parse(p).ok());
        if let Some(k) = name.as_ref().and_then(|n| duplicate_key(n, phone.as_ref())) {
            groups.entry(k).or_default().push(r.clone());
        }
        if let Some(id) = &r.id_number {
            groups.entry(format!("id|{id}")).or_default().push(r);
        }
    }
    let mut out: Vec<Vec<ResidentRow>> = groups.into_values().filter(|g| g.len() > 1).collect();
    out.sort_by_key(|g| g[0].id);
    out.dedup_by(|a, b| a.iter().map(|r| r.id).eq(b.iter().map(|r| r.id)));
    Ok(out)
}

/// Merges a duplicate into the resident kept: the duplicate points at the kept record (never
/// deleted), and its household memberships move over.
pub async fn merge_residents(
    app: &App,
    actor: &Actor,
    community: Uuid,
    keep: Uuid,
    duplicate: Uuid,
    reason: &str,
) -> Result<(), AppError> {
    if keep == duplicate {
        return Err(AppError::invalid("merge_same_resident", "duplicate_id"));
    }
    if reason.trim().is_empty() {
        return Err(AppError::invalid("reason_required", "reason"));
    }
    let mut cmd = Command::on(app, actor, Target::Tenant(community), "resident.merge").await?;
    let read = &mut cmd.tx;
    actor
        .require(read, Permission::ManageResidents, community)
        .await?;
    let kept = repo::resident(read, community, keep)
        .await?
        .ok_or(AppError::NotFound("resident"))?;
    let dup = repo::resident(read, community, duplicate)
        .await?
        .ok_or(AppError::NotFound("resident"))?;
    if kept.merged_into.is_some() || dup.merged_into.is_some() {
        return Err(AppError::invalid("resident_already_merged", "duplicate_id"));
    }
    cmd.detail("reason", reason.trim());
    cmd.update(
        "residents",
        &[community.into(), duplicate.into()],
        &[("merged_into", keep.into())],
    )
    .await?;
    for (membership, _, _) in repo::memberships_of(&mut cmd.tx, community, duplicate).await? {
        cmd.update(
            "household_members",
            &[community.into(), membership.into()],
            &[("resident_id", keep.into())],
        )
        .await?;
    }
    cmd.commit().await?;
    Ok(())
}

/// Tables whose records can be voided, and the permission that allows it.
/// The records that can be voided, and the permission each needs.
pub const VOIDABLE: &[(&str, Permission)] = &[
    ("residents", Permission::ManageResidents),
    ("households", Permission::ManagePlaces),
    ("role_grants", Permission::ManageRoles),
    ("offices", Permission::ManageOffices),
];

/// Voids a record with a reason. Nothing is ever deleted: the row stays, marked, and the event
/// says who voided it and why.
pub async fn void_record(
    app: &App,
    actor: &Actor,
    tenant: Uuid,
    table: &str,
    id: Uuid,
    reason: &str,
) -> Result<(), AppError> {
    let (table, perm) = VOIDABLE
        .iter()
        .find(|(t, _)| *t == table)
        .copied()
        .ok_or_else(|| AppError::invalid("not_voidable", "table"))?;
    if reason.trim().is_empty() {
        return Err(AppError::invalid("reason_required", "reason"));
    }
    let mut cmd = Command::on(app, actor, Target::Tenant(tenant), "record.void").await?;
    let read = &mut cmd.tx;
    actor.require(read, perm, tenant).await?;
    let row = gongzhi_store::rows::get(read, table, &[tenant.into(), id.into()])
        .await?
        .ok_or(AppError::NotFound("record"))?;
    let t = gongzhi_store::schema::table(table).ok_or(AppError::NotFound("table"))?;
    let voided_pos = t
        .columns
        .iter()
        .position(|c| c.name == "voided_at")
        .ok_or(AppError::NotFound("column"))?;
    if !row.0[voided_pos].is_null() {
        return Err(AppError::invalid("already_voided", "id"));
    }
    cmd.detail("reason", reason.trim());
    cmd.update(
        table,
        &[tenant.into(), id.into()],
        &[
            ("voided_at", app.now().micros().into()),
            ("void_reason", reason.trim().into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(())
}

/// Amends a resident's contact details with a reason (the old image stays in the chain).
pub async fn amend_resident(
    app: &App,
    actor: &Actor,
    community: Uuid,
    id: Uuid,
    name: Option<&str>,
    phone: Option<&str>,
    reason: &str,
) -> Result<(), AppError> {
    if reason.trim().is_empty() {
        return Err(AppError::invalid("reason_required", "reason"));
    }
    let mut sets: Vec<(&str, Value)> = Vec::new();
    if let Some(n) = name {
        sets.push(("name", PersonName::parse(n)?.as_str().into()));
    }
    if let Some(p) = phone {
        let p = if p.trim().is_empty() {
            None
        } else {
            Some(Phone::parse(p)?.as_str().to_string())
        };
        sets.push(("phone", Value::from(p)));
    }
    if sets.is_empty() {
        return Err(AppError::invalid("nothing_to_amend", "name"));
    }
    let mut cmd = Command::on(app, actor, Target::Tenant(community), "record.amend").await?;
    let read = &mut cmd.tx;
    actor
        .require(read, Permission::ManageResidents, community)
        .await?;
    repo::resident(read, community, id)
        .await?
        .ok_or(AppError::NotFound("resident"))?;
    cmd.detail("reason", reason.trim());
    cmd.update("residents", &[community.into(), id.into()], &sets)
        .await?;
    cmd.commit().await?;
    Ok(())
}

/// The result of a bulk import: rows imported, or every broken row with what is wrong with it.
#[derive(Debug)]
pub struct ImportReport {
    pub imported: usize,
}

/// The import columns, (English header, Chinese header), in the order the code reads them.
const IMPORT_COLUMNS: [(&str, &str); 8] = [
    ("name", "姓名"),
    ("phone", "电话"),
    ("id_number", "身份证号"),
    ("courtyard", "院落"),
    ("building", "楼栋"),
    ("unit", "单元"),
    ("room", "户"),
    ("representative", "户代表"),
];

pub use crate::spreadsheet::{Sheet, read_csv, read_sheet, read_xlsx};

/// Imports residents from a spreadsheet, CSV or XLSX (told apart by content). The header row has
/// the columns `name, phone, id_number, courtyard, building, unit, room, representative` in English
/// or 姓名, 电话, 身份证号, 院落, 楼栋, 单元, 户, 户代表; only the name is required. `courtyard` is the
/// courtyard's code; `representative` is 是/yes/1 for the household representative. Households are
/// created as needed. If any row is broken, nothing is imported and every broken row is reported
/// with its line number.
pub async fn import_residents_file(
    app: &App,
    actor: &Actor,
    community: Uuid,
    data: &[u8],
) -> Result<ImportReport, AppError> {
    authorize_import(app, actor, community).await?;
    import_residents(app, actor, community, read_sheet(data)?).await
}

/// Whether the actor may import residents into the community: asked before the file is read
/// (by the command and by the web layer before it reads the upload), and again in the command.
pub async fn authorize_import(app: &App, actor: &Actor, community: Uuid) -> Result<(), AppError> {
    actor
        .authorize(app, Permission::ManageResidents, community)
        .await
}

/// CSV import (kept for callers that know the format).
pub async fn import_residents_csv(
    app: &App,
    actor: &Actor,
    community: Uuid,
    data: &[u8],
) -> Result<ImportReport, AppError> {
    authorize_import(app, actor, community).await?;
    import_residents(app, actor, community, read_csv(data)?).await
}

/// Imports residents from a sheet already read.
pub async fn import_residents(
    app: &App,
    actor: &Actor,
    community: Uuid,
    sheet: Sheet,
) -> Result<ImportReport, AppError> {
    let position = |i: usize| {
        sheet
            .headers
            .iter()
            .position(|h| h.trim() == IMPORT_COLUMNS[i].0 || h.trim() == IMPORT_COLUMNS[i].1)
    };
    let cols: Vec<Option<usize>> = (0..IMPORT_COLUMNS.len()).map(position).collect();
    if cols[0].is_none() {
        return Err(AppError::invalid("csv_missing_name_column", "file"));
    }
    let mut read = app.db.read().await?;
    actor
        .require(&mut read, Permission::ManageResidents, community)
        .await?;
    let mut errors = Vec::new();
    let mut good = Vec::new();
    let mut courtyards: HashMap<String, Uuid> = HashMap::new();
    for (line, record) in sheet.rows {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push((line, e));
                continue;
            }
        };
        let get = |c: usize| {
            cols[c]
                .and_then(|p| record.get(p))
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let representative = match get(7).as_deref() {
            None | Some("否" | "no" | "0" | "false") => false,
            Some("是" | "yes" | "1" | "true" | "y") => true,
            Some(other) => {
                errors.push((
                    line,
                    DomainError::field("yes_no_invalid", "representative").arg("value", other),
                ));
                continue;
            }
        };
        let new = NewResident {
            name: get(0).unwrap_or_default(),
            phone: get(1),
            id_number: get(2),
            representative,
            ..Default::default()
        };
        let checked = match check_resident(&new) {
            Ok(c) => c,
            Err(e) => {
                errors.push((line, e));
                continue;
            }
        };
        let courtyard = match get(3) {
            None => None,
            Some(code) => match courtyards.get(&code) {
                Some(id) => Some(*id),
                None => match repo::jurisdiction_by_code(&mut read, &code).await? {
                    Some(j)
                        if j.level == "courtyard"
                            && check_inside(&mut read, community, j.id).await.is_ok() =>
                    {
                        courtyards.insert(code, j.id);
                        Some(j.id)
                    }
                    _ => {
                        errors.push((
                            line,
                            DomainError::field("place_not_in_community", "courtyard")
                                .arg("value", code),
                        ));
                        continue;
                    }
                },
            },
        };
        let address = match (get(4), get(5), get(6)) {
            (None, None, None) => None,
            (Some(b), u, Some(r)) if courtyard.is_some() => {
                Some((b, u.unwrap_or_else(|| "1".into()), r))
            }
            _ => {
                errors.push((line, DomainError::field("address_incomplete", "building")));
                continue;
            }
        };
        good.push((new, checked, courtyard, address));
    }
    read.rollback().await?;
    if !errors.is_empty() {
        return Err(AppError::Rows(errors));
    }
    let mut cmd = Command::begin(app, actor, community, "resident.import").await?;
    let count = good.len();
    cmd.detail("rows", count);
    for (mut new, checked, courtyard, address) in good {
        new.courtyard_id = courtyard;
        if let (Some(court), Some((building, unit, room))) = (courtyard, address) {
            let building_id =
                match repo::building_by_label(&mut cmd.tx, community, court, &building).await? {
                    Some(b) => b,
                    None => {
                        let id = new_id();
                        cmd.insert(
                            "buildings",
                            &[
                                ("tenant_id", community.into()),
                                ("id", id.into()),
                                ("courtyard_id", court.into()),
                                ("label", building.into()),
                            ],
                        )
                        .await?;
                        id
                    }
                };
            let household =
                match repo::household_by_address(&mut cmd.tx, community, building_id, &unit, &room)
                    .await?
                {
                    Some(h) => h,
                    None => {
                        let id = new_id();
                        cmd.insert(
                            "households",
                            &[
                                ("tenant_id", community.into()),
                                ("id", id.into()),
                                ("building_id", building_id.into()),
                                ("unit", unit.into()),
                                ("room", room.into()),
                            ],
                        )
                        .await?;
                        id
                    }
                };
            new.household_id = Some(household);
        }
        insert_resident(&mut cmd, app, community, &new, checked).await?;
    }
    cmd.commit().await?;
    Ok(ImportReport { imported: count })
}

/// Links a resident's record to the account they sign in with (after staff have checked who they
/// are), so they can vote, sign minutes and object as themselves.
pub async fn link_account(
    app: &App,
    actor: &Actor,
    community: Uuid,
    resident: Uuid,
    account: Uuid,
) -> Result<(), AppError> {
    let mut cmd = Command::on(
        app,
        actor,
        Target::Tenant(community),
        "resident.link_account",
    )
    .await?;
    let read = &mut cmd.tx;
    actor
        .require(read, Permission::ManageResidents, community)
        .await?;
    repo::resident(read, community, resident)
        .await?
        .ok_or(AppError::NotFound("resident"))?;
    repo::account_by_id(read, account)
        .await?
        .ok_or(AppError::NotFound("account"))?;
    cmd.update(
        "residents",
        &[community.into(), resident.into()],
        &[("account_id", account.into())],
    )
    .await?;
    cmd.commit().await?;
    Ok(())
}
