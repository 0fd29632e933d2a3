//! The needs ledger (需求台账): needs heard on every channel, with a place, a category, photos and
//! a reporter; a reply owed by a date from the rulebook; assignment, merging of duplicates, and
//! a spreadsheet import that is all-or-nothing.

use gongzhi_domain::lifecycle::NeedStatus;
use gongzhi_domain::notification::{MessageKind, Subject};
use std::sync::Arc;

use gongzhi_domain::DomainError;
use gongzhi_domain::place::Level;
use gongzhi_domain::project::{NEED_CHANNELS, NEED_STATUSES, need_transition};
use gongzhi_domain::rulebook::RuleValue;
use gongzhi_domain::time::format_date;
use gongzhi_store::projects::{self as repo_p, NeedFilter, NeedRow};
use gongzhi_store::{Tx, Value, repo};
use uuid::Uuid;

use crate::authz::{Actor, Permission};
use crate::command::{Command, Record, Target, tenant_of};
use crate::input::{invalid, text};
use crate::{App, AppError, new_id};

use super::{lists_in_force, rule, within};

pub struct NewNeed<'a> {
    /// The courtyard (or group, or the community itself) the need is about. Required.
    pub place_id: Option<Uuid>,
    pub building_id: Option<Uuid>,
    pub category: &'a str,
    pub channel: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    /// Uploaded photos (their SHA-256).
    pub photos: &'a [String],
    /// The resident who raised it, when staff enter it on their behalf.
    pub reporter_id: Option<Uuid>,
}

/// Who is recording a need, and for whom.
struct Reporter {
    resident: Option<Uuid>,
    account: Option<Uuid>,
    entered_by: Option<Uuid>,
    channel: String,
}

/// Records a need. Staff enter needs heard anywhere (a yard meeting, the petition box, a home
/// visit), naming the resident if there is one; a resident signed in records their own, online.
/// Returns the need's id and its number in the community's ledger.
pub async fn report_need(
    app: &App,
    actor: &Actor,
    new: &NewNeed<'_>,
) -> Result<(Uuid, i64), AppError> {
    let place = new
        .place_id
        .ok_or_else(|| invalid("need_place_missing", "place_id"))?;
    let title = text(new.title, "title", 120)?;
    let body = if new.body.trim().is_empty() {
        title.clone()
    } else {
        text(new.body, "body", 4_000)?
    };
    if new.photos.len() > 9 {
        return Err(invalid("need_too_many_photos", "photos"));
    }
    let mut cmd = super::command_at(app, actor, place, "need.report").await?;
    let tenant = cmd.tenant_id();
    let reporter = reporter_for(&mut cmd.tx, actor, tenant, place, new).await?;
    check_category(&mut cmd.tx, app, place, new.category).await?;
    for p in new.photos {
        if repo::upload(&mut cmd.tx, tenant, p).await?.is_none() {
            return Err(invalid("upload_not_found", "photos"));
        }
    }
    if let Some(b) = new.building_id {
        match repo::building(&mut cmd.tx, tenant, b).await? {
            Some((courtyard, _)) if within(&mut cmd.tx, courtyard, place).await? => {}
            _ => return Err(invalid("need_building_elsewhere", "building_id")),
        }
    }
    let due = reply_due(&mut cmd.tx, app, place).await?;
    let number = repo_p::next_number(&mut cmd.tx, "needs", tenant).await?;
    let id = new_id();
    let now = app.now().micros();
    cmd.insert(
        "needs",
        &need_values(
            tenant,
            id,
            number,
            place,
            new.building_id,
            new.category,
            &reporter,
            (&title, &body),
            &due,
            now,
        ),
    )
    .await?;
    for p in new.photos {
        cmd.insert(
            "need_photos",
            &[
                ("tenant_id", tenant.into()),
                ("need_id", id.into()),
                ("sha256", p.clone().into()),
            ],
        )
        .await?;
    }
    cmd.commit().await?;
    Ok((id, number))
}

#[allow(clippy::too_many_arguments)]
fn need_values(
    tenant: Uuid,
    id: Uuid,
    number: i64,
    place: Uuid,
    building: Option<Uuid>,
    category: &str,
    reporter: &Reporter,
    (title, body): (&str, &str),
    due: &str,
    now: i64,
) -> Vec<(&'static str, Value)> {
    vec![
        ("tenant_id", tenant.into()),
        ("id", id.into()),
        ("number", number.into()),
        ("jurisdiction_id", place.into()),
        ("building_id", Value::from(building)),
        ("category", category.into()),
        ("channel", reporter.channel.clone().into()),
        ("title", title.into()),
        ("body", body.into()),
        ("reporter_id", Value::from(reporter.resident)),
        ("reporter_account_id", Value::from(reporter.account)),
        ("entered_by", Value::from(reporter.entered_by)),
        ("status", NeedStatus::New.into()),
        ("assigned_to", Value::Id(None)),
        ("reply_due", due.into()),
        ("reply", Value::Text(None)),
        ("replied_at", Value::Int(None)),
        ("merged_into", Value::Id(None)),
        ("project_id", Value::Id(None)),
        ("created_at", now.into()),
        ("updated_at", now.into()),
    ]
}

async fn reporter_for(
    tx: &mut Tx,
    actor: &Actor,
    tenant: Uuid,
    place: Uuid,
    new: &NewNeed<'_>,
) -> Result<Reporter, AppError> {
    if actor.can(tx, Permission::ManageProjects, place).await? && actor.account_id.is_some()
        || actor.is_system()
    {
        if !NEED_CHANNELS.contains(&new.channel) {
            return Err(invalid("need_channel_unknown", "channel"));
        }
        let account = match new.reporter_id {
            Some(r) => {
                let row = repo::resident(tx, tenant, r)
                    .await?
                    .ok_or_else(|| invalid("resident_not_found", "reporter_id"))?;
                resident_account(tx, tenant, row.id).await?
            }
            None => None,
        };
        return Ok(Reporter {
            resident: new.reporter_id,
            account,
            entered_by: actor.account_id,
            channel: new.channel.to_string(),
        });
    }
    let account = actor.account_id.ok_or(AppError::Unauthenticated)?;
    // A resident records their own need, in their own community.
    let (resident, _) = repo_p::resident_by_account(tx, tenant, account)
        .await?
        .ok_or(AppError::Forbidden)?;
    Ok(Reporter {
        resident: Some(resident),
        account: Some(account),
        entered_by: None,
        channel: "online".into(),
    })
}

async fn resident_account(
    tx: &mut Tx,
    tenant: Uuid,
    resident: Uuid,
) -> Result<Option<Uuid>, AppError> {
    let row = gongzhi_store::rows::get(tx, "residents", &[tenant.into(), resident.into()]).await?;
    Ok(row.and_then(|r| r.opt_id(6).ok().flatten()))
}

/// A need's category is one of the priority list's, or `other`.
async fn check_category(
    tx: &mut Tx,
    app: &App,
    place: Uuid,
    category: &str,
) -> Result<(), AppError> {
    let lists = lists_in_force(tx, app, place).await?;
    if category == "other" || lists.categories().any(|e| e.category == category) {
        Ok(())
    } else {
        Err(AppError::Invalid(
            DomainError::field("category_unknown", "category").arg("value", category),
        ))
    }
}

/// The day a reply is owed: the rulebook's `need.reply_period` counted from today.
async fn reply_due(tx: &mut Tx, app: &App, place: Uuid) -> Result<String, AppError> {
    let today = app.now().china_date();
    let period = match rule(tx, app, place, "need.reply_period").await? {
        RuleValue::NoticePeriod(p) => p,
        _ => return Err(invalid("rule_missing", "need.reply_period")),
    };
    let calendar = match rule(tx, app, place, "calendar.official").await? {
        RuleValue::Calendar(c) => c,
        _ => Default::default(),
    };
    Ok(format_date(period.last_day(today, &calendar)))
}

/// What staff do with a need.
pub enum NeedAction<'a> {
    /// Give it to a colleague (an account) to follow up.
    Assign(Uuid),
    /// Answer the resident; optionally close the need as resolved or declined.
    Reply {
        reply: &'a str,
        close: Option<&'a str>,
    },
    /// The same need reported twice: this one is merged into `into`.
    Merge { into: Uuid },
}

pub async fn act_on_need(
    app: &App,
    actor: &Actor,
    need_id: Uuid,
    action: NeedAction<'_>,
) -> Result<(), AppError> {
    let name = match action {
        NeedAction::Assign(_) => "need.assign",
        NeedAction::Reply { .. } => "need.reply",
        NeedAction::Merge { .. } => "need.merge",
    };
    let mut cmd = Command::on(app, actor, Target::Record(Record::Need, need_id), name).await?;
    let (tenant, need) = load_need(&mut cmd.tx, need_id).await?;
    actor
        .require(
            &mut cmd.tx,
            Permission::ManageProjects,
            need.jurisdiction_id,
        )
        .await?;
    let now = app.now().micros();
    let mut set: Vec<(&str, Value)> = vec![("updated_at", now.into())];
    match action {
        NeedAction::Assign(to) => {
            // Only to someone who may follow it up here: staff of this community or above.
            if repo::account_by_id(&mut cmd.tx, to).await?.is_none() {
                return Err(invalid("account_not_found", "assigned_to"));
            }
            let assignee = crate::authz::Actor::load(&mut cmd.tx, to).await?;
            if assignee
                .require(
                    &mut cmd.tx,
                    Permission::ManageProjects,
                    need.jurisdiction_id,
                )
                .await
                .is_err()
            {
                return Err(invalid("need_assignee_not_staff", "assigned_to"));
            }
            if need.status != NeedStatus::Assigned {
                need_transition(need.status, NeedStatus::Assigned)?;
                set.push(("status", NeedStatus::Assigned.into()));
            }
            set.push(("assigned_to", to.into()));
        }
        NeedAction::Reply { reply, close } => {
            let reply = text(reply, "reply", 2_000)?;
            if let Some(to) = close {
                let to = match to {
                    "resolved" => NeedStatus::Resolved,
                    "declined" => NeedStatus::Declined,
                    _ => return Err(invalid("need_status_move_refused", "status")),
                };
                need_transition(need.status, to)?;
                set.push(("status", to.into()));
            } else if need.status.is_closed() {
                return Err(AppError::Invalid(
                    DomainError::field("need_closed", "need_id").arg("status", need.status),
                ));
            }
            set.push(("reply", reply.into()));
            set.push(("replied_at", now.into()));
        }
        NeedAction::Merge { into } => {
            if into == need.id {
                return Err(invalid("need_merge_into_itself", "into"));
            }
            let target = repo_p::need(&mut cmd.tx, tenant, into)
                .await?
                .ok_or_else(|| invalid("need_not_found", "into"))?;
            if target.merged_into.is_some() {
                return Err(invalid("need_merge_into_merged", "into"));
            }
            need_transition(need.status, NeedStatus::Merged)?;
            set.push(("status", NeedStatus::Merged.into()));
            set.push(("merged_into", into.into()));
        }
    }
    cmd.update("needs", &[tenant.into(), need_id.into()], &set)
        .await?;
    if let NeedAction::Reply { close, .. } = action {
        // The reporter hears the answer, and whoever follows the need.
        let mut to =
            gongzhi_store::notifications::followers(&mut cmd.tx, tenant, Subject::Need, need_id)
                .await?;
        to.extend(need.reporter_account_id);
        let code = repo::jurisdiction_by_id(&mut cmd.tx, tenant)
            .await?
            .map(|j| j.code)
            .unwrap_or_default();
        cmd.notify(
            to,
            MessageKind::NeedAnswered,
            (Subject::Need, need_id),
            serde_json::json!({
                "code": code, "number": need.number, "title": need.title, "closed": close,
            }),
        )
        .await?;
    }
    cmd.commit().await?;
    Ok(())
}

pub(crate) async fn load_need(tx: &mut Tx, id: Uuid) -> Result<(Uuid, NeedRow), AppError> {
    let tenant = Record::Need.tenant(tx, id).await?;
    let n = repo_p::need(tx, tenant, id)
        .await?
        .ok_or(AppError::NotFound("need"))?;
    Ok((tenant, n))
}

/// A page of a community's needs ledger, for staff (it shows what residents wrote).
pub async fn needs_page(
    app: &App,
    actor: &Actor,
    community: Uuid,
    filter: &NeedFilter,
) -> Result<Vec<NeedRow>, AppError> {
    let (read, rows) = ledger_read(app, actor, community, filter).await?;
    read.rollback().await?;
    Ok(rows)
}

/// Checks the filter and the actor's permission, and reads a page of needs in a read
/// transaction left open for the caller.
async fn ledger_read(
    app: &App,
    actor: &Actor,
    community: Uuid,
    filter: &NeedFilter,
) -> Result<(Tx, Vec<NeedRow>), AppError> {
    if let Some(s) = &filter.status
        && !NEED_STATUSES.contains(&s.as_str())
    {
        return Err(invalid("need_status_unknown", "status"));
    }
    let mut read = app.db.read().await?;
    actor
        .require(&mut read, Permission::ManageProjects, community)
        .await?;
    let rows = repo_p::needs_page(&mut read, community, filter).await?;
    Ok((read, rows))
}

/// What the needs ledger page shows: the community, a page of needs, its places and the
/// categories in force, read in one transaction (the community's chain read once for the
/// permission and the rulebook).
#[derive(Debug)]
pub struct LedgerPage {
    pub community: repo::JurisdictionRow,
    pub needs: Vec<NeedRow>,
    pub places: Vec<(Uuid, String)>,
    /// (code, Chinese, English), the priority list's then `other`.
    pub categories: Vec<(String, String, String)>,
}

pub async fn ledger_page(
    app: &App,
    actor: &Actor,
    code: &str,
    filter: &NeedFilter,
) -> Result<LedgerPage, AppError> {
    if let Some(s) = &filter.status
        && !NEED_STATUSES.contains(&s.as_str())
    {
        return Err(invalid("need_status_unknown", "status"));
    }
    // Reads with no transaction around them (two round trips fewer on PostgreSQL), the chain,
    // places and rulebook from the process's copies (`reference`): they change only by
    // commands, and a page showing needs a moment newer than its list of places is harmless.
    let mut read = app.db.reads().await?;
    let (chain, community) = staff_community(app, &mut read, actor, code).await?;
    let needs = repo_p::needs_page(&mut read, community.id, filter).await?;
    let places = place_names(app, &mut read, community.id).await?;
    let categories = need_categories(app, &mut read, &chain).await?;
    read.rollback().await?;
    Ok(LedgerPage {
        community,
        needs,
        places,
        categories,
    })
}

/// The community with this code and its chain of places (nearest first), for staff who manage
/// its projects: one read (or the process's copy) for finding it and checking the permission.
async fn staff_community(
    app: &App,
    read: &mut Tx,
    actor: &Actor,
    code: &str,
) -> Result<(Arc<[repo::JurisdictionRow]>, repo::JurisdictionRow), AppError> {
    let chain = app.reference.chain_of_code(read, code).await?;
    let community = chain
        .first()
        .cloned()
        .ok_or(AppError::NotFound("jurisdiction"))?;
    actor.require_in(&chain, Permission::ManageProjects)?;
    Ok((chain, community))
}

/// One need of a community's ledger by its number, for its staff: the need (with what the
/// resident wrote), the name of its place, and the number of the need it was merged into.
pub struct NeedSheet {
    pub community: repo::JurisdictionRow,
    pub need: NeedRow,
    pub place: String,
    pub merged_into: Option<i64>,
    /// Who may follow it up (staff here or above): (account, name), for handing it on.
    pub colleagues: Vec<(Uuid, String)>,
}

pub async fn need_sheet(
    app: &App,
    actor: &Actor,
    code: &str,
    number: i64,
) -> Result<NeedSheet, AppError> {
    let mut read = app.db.reads().await?;
    let (chain, community) = staff_community(app, &mut read, actor, code).await?;
    let need = repo_p::need_by_number(&mut read, community.id, number)
        .await?
        .ok_or(AppError::NotFound("need"))?;
    let place = repo::jurisdiction_by_id(&mut read, need.jurisdiction_id)
        .await?
        .map(|p| p.name_zh)
        .unwrap_or_default();
    let merged_into = match need.merged_into {
        Some(id) => repo_p::need(&mut read, community.id, id)
            .await?
            .map(|n| n.number),
        None => None,
    };
    let places: Vec<Uuid> = chain.iter().map(|j| j.id).collect();
    let roles = crate::authz::roles_with(Permission::ManageProjects);
    let colleagues = repo::accounts_with_role_in(&mut read, &places, &roles).await?;
    read.rollback().await?;
    Ok(NeedSheet {
        community,
        need,
        place,
        merged_into,
        colleagues,
    })
}

/// One need, for staff of its community or the resident who raised it.
pub async fn need_view(app: &App, actor: &Actor, id: Uuid) -> Result<NeedRow, AppError> {
    let mut read = app.db.read().await?;
    let (_, need) = load_need(&mut read, id).await?;
    let own = actor.account_id.is_some() && need.reporter_account_id == actor.account_id;
    if !own {
        actor
            .require(&mut read, Permission::ManageProjects, need.jurisdiction_id)
            .await?;
    }
    read.rollback().await?;
    Ok(need)
}

/// The needs the signed-in resident raised (or staff raised for them), newest first.
pub async fn my_needs(app: &App, actor: &Actor) -> Result<Vec<NeedRow>, AppError> {
    let account = actor.account_id.ok_or(AppError::Unauthenticated)?;
    let mut read = app.db.read().await?;
    let mut out = Vec::new();
    for (_, j) in actor.grants.iter().filter(|(r, _)| r == "resident") {
        let Ok(tenant) = tenant_of(&mut read, *j).await else {
            continue;
        };
        if out.iter().any(|(t, _): &(Uuid, NeedRow)| *t == tenant) {
            continue;
        }
        let rows = repo_p::needs_page(
            &mut read,
            tenant,
            &NeedFilter {
                reporter_account: Some(account),
                limit: 200,
                ..Default::default()
            },
        )
        .await?;
        out.extend(rows.into_iter().map(|r| (tenant, r)));
    }
    read.rollback().await?;
    Ok(out.into_iter().map(|(_, r)| r).collect())
}

/// The categories a need may have, in force today for a place's chain: (code, Chinese,
/// English), the priority list's then `other`.
async fn need_categories(
    app: &App,
    read: &mut Tx,
    chain: &[repo::JurisdictionRow],
) -> Result<Vec<(String, String, String)>, AppError> {
    let lists = match crate::rules::rule_for_page(app, read, chain, "project.lists").await? {
        RuleValue::Lists(l) => l,
        _ => return Err(invalid("rule_missing", "project.lists")),
    };
    let mut categories: Vec<(String, String, String)> = lists
        .categories()
        .map(|e| (e.category.clone(), e.zh.clone(), e.en.clone()))
        .collect();
    categories.push(("other".into(), "其他".into(), "Other".into()));
    Ok(categories)
}

/// The community's places (itself, then its groups and courtyards) by name, for a form's or a
/// filter's choice of place.
async fn place_names(
    app: &App,
    read: &mut Tx,
    community: Uuid,
) -> Result<Vec<(Uuid, String)>, AppError> {
    Ok(app
        .reference
        .places_below(read, community)
        .await?
        .iter()
        .map(|r| (r.id, r.name_zh.clone()))
        .collect())
}

/// What a resident's own "report a need" form offers: the places of their community (theirs
/// first chosen) and the categories of the rulebook in force.
#[derive(Debug, Clone)]
pub struct ResidentNeedForm {
    /// The community the need goes to (uploads are stored under it).
    pub community: Uuid,
    /// (place, name), the community's own places top first.
    pub places: Vec<(Uuid, String)>,
    /// The resident's own place, chosen unless they pick another.
    pub home: Uuid,
    /// (code, Chinese, English), the priority list's then `other`.
    pub categories: Vec<(String, String, String)>,
}

/// The form for a signed-in resident to report a need online, or `None` for an account that
/// is no resident anywhere.
pub async fn resident_need_form(
    app: &App,
    actor: &Actor,
) -> Result<Option<ResidentNeedForm>, AppError> {
    let Some((_, home)) = actor.grants.iter().find(|(r, _)| r == "resident") else {
        return Ok(None);
    };
    let mut read = app.db.reads().await?;
    // The resident's place and everything above it; the community's chain is its tail.
    let home_chain = repo::ancestors(&mut read, *home).await?;
    let at = home_chain
        .iter()
        .position(|j| Level::parse(&j.level).is_ok_and(|l| l.is_tenant()))
        .ok_or(AppError::NotFound("jurisdiction"))?;
    let chain = &home_chain[at..];
    let community = chain[0].id;
    let places = place_names(app, &mut read, community).await?;
    let categories = need_categories(app, &mut read, chain).await?;
    read.rollback().await?;
    Ok(Some(ResidentNeedForm {
        community,
        places,
        home: *home,
        categories,
    }))
}

/// The import columns: (English header, Chinese header).
const IMPORT_COLUMNS: [(&str, &str); 6] = [
    ("title", "标题"),
    ("place", "地点"),
    ("category", "类别"),
    ("channel", "渠道"),
    ("body", "内容"),
    ("building", "楼栋"),
];

/// Whether the actor may import needs into the community, asked before the file is read.
pub async fn authorize_needs_import(
    app: &App,
    actor: &Actor,
    community: Uuid,
) -> Result<(), AppError> {
    actor
        .authorize(app, Permission::ManageProjects, community)
        .await
}

/// Imports needs from a spreadsheet (CSV or XLSX, told apart by content). Columns, in English or
/// Chinese: `title`/标题, `place`/地点 (the courtyard's code), `category`/类别, `channel`/渠道,
/// and optionally `body`/内容 and `building`/楼栋 (the building's label in that courtyard). If any
/// row is broken nothing is imported and every broken row is reported with its line number, so a
/// file is never half in.
pub async fn import_needs(
    app: &App,
    actor: &Actor,
    community: Uuid,
    data: &[u8],
) -> Result<usize, AppError> {
    authorize_needs_import(app, actor, community).await?;
    let sheet = crate::people::read_sheet(data)?;
    let cols = sheet.columns(&IMPORT_COLUMNS, 4)?;
    let mut cmd = Command::on(app, actor, Target::Place(community), "need.import").await?;
    let read = &mut cmd.tx;
    actor
        .require(read, Permission::ManageProjects, community)
        .await?;
    if tenant_of(read, community).await? != community {
        return Err(invalid("not_a_community", "community_id"));
    }
    let lists = lists_in_force(read, app, community).await?;
    let mut errors: Vec<(usize, DomainError)> = Vec::new();
    let mut rows = Vec::new();
    let mut places: std::collections::HashMap<String, Option<Uuid>> = Default::default();
    let mut dues: std::collections::HashMap<Uuid, String> = Default::default();
    let mut number = repo_p::next_number(&mut cmd.tx, "needs", community).await?;
    let now = app.now().micros();
    for (line, cells) in &sheet.rows {
        let cells = match cells {
            Ok(c) => c,
            Err(e) => {
                errors.push((*line, e.clone()));
                continue;
            }
        };
        let cell = |i: usize| {
            cols[i]
                .and_then(|c| cells.get(c))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let fail = |code: &'static str, field: &'static str| DomainError::field(code, field);
        let title = cell(0);
        if title.is_empty() || title.chars().count() > 120 {
            errors.push((*line, fail("text_length_invalid", "title")));
            continue;
        }
        let code = cell(1);
        if code.is_empty() {
            errors.push((*line, fail("need_place_missing", "place")));
            continue;
        }
        if !places.contains_key(&code) {
            let found = match repo::jurisdiction_by_code(&mut cmd.tx, &code).await? {
                Some(j) if within(&mut cmd.tx, j.id, community).await? => Some(j.id),
                _ => None,
            };
            places.insert(code.clone(), found);
        }
        let Some(place) = places[&code] else {
            errors.push((
                *line,
                fail("need_place_unknown", "place").arg("value", &code),
            ));
            continue;
        };
        let category = cell(2);
        if category != "other" && !lists.categories().any(|e| e.category == category) {
            errors.push((
                *line,
                fail("category_unknown", "category").arg("value", &category),
            ));
            continue;
        }
        let channel = cell(3);
        if !NEED_CHANNELS.contains(&channel.as_str()) {
            errors.push((
                *line,
                fail("need_channel_unknown", "channel").arg("value", &channel),
            ));
            continue;
        }
        let body = cell(4);
        if body.chars().count() > 4_000 {
            errors.push((*line, fail("text_length_invalid", "body")));
            continue;
        }
        let building = cell(5);
        let building = if building.is_empty() {
            None
        } else {
            match repo::building_by_label(&mut cmd.tx, community, place, &building).await? {
                Some(b) => Some(b),
                None => {
                    errors.push((
                        *line,
                        fail("building_not_found", "building").arg("value", &building),
                    ));
                    continue;
                }
            }
        };
        if let std::collections::hash_map::Entry::Vacant(e) = dues.entry(place) {
            e.insert(reply_due(&mut cmd.tx, app, place).await?);
        }
        let reporter = Reporter {
            resident: None,
            account: None,
            entered_by: actor.account_id,
            channel,
        };
        let body = if body.is_empty() { title.clone() } else { body };
        rows.push(need_values(
            community,
            new_id(),
            number,
            place,
            building,
            &category,
            &reporter,
            (&title, &body),
            &dues[&place],
            now,
        ));
        number += 1;
    }
    if !errors.is_empty() {
        cmd.tx.rollback().await?;
        return Err(AppError::Rows(errors));
    }
    if rows.is_empty() {
        return Err(invalid("import_empty", "file"));
    }
    let count = rows.len();
    let columns: Vec<&str> = rows[0].iter().map(|(c, _)| *c).collect();
    let values: Vec<Vec<Value>> = rows
        .into_iter()
        .map(|r| r.into_iter().map(|(_, v)| v).collect())
        .collect();
    // Bounded statements: a spreadsheet of 10,000 rows is written in chunks.
    for chunk in values.chunks(500) {
        cmd.insert_many("needs", &columns, chunk).await?;
    }
    cmd.detail("imported", count);
    cmd.commit().await?;
    Ok(count)
}
