//! The supplier directory: registered and filed organisations, social enterprises and companies;
//! the catalogue items each may deliver; the accounts that act for them; the blacklist.

use gongzhi_domain::place::Level;
use gongzhi_domain::procurement::{OrgKind, check_org_identity};
use gongzhi_domain::time::{format_date, parse_date};
use gongzhi_domain::{DomainError, procurement};
use gongzhi_store::procurement::{self as repo_p, EvaluationRow, OrgRow, SanctionRow};
use gongzhi_store::{Tx, Value, repo};
use uuid::Uuid;

use super::{catalogue, city_of};
use crate::authz::{Actor, Permission};
use crate::command::{Command, Record, Target};
use crate::input::{invalid, text};
use crate::{App, AppError, new_id};

/// Incubator levels (孵化基地): district, street, community.
pub const INCUBATOR_LEVELS: &[&str] = &["district", "street", "community"];

/// Roles of a staff seat in an organisation.
pub const ORG_STAFF_ROLES: &[&str] = &["admin", "member"];

pub struct NewOrganisation<'a> {
    pub name_zh: &'a str,
    pub name_en: &'a str,
    pub kind: &'a str,
    pub credit_code: Option<&'a str>,
    /// The civil-affairs bureau it is registered with (a district or the city), or the
    /// community (or street) it is filed with.
    pub registered_with: Uuid,
    pub registered_on: Option<&'a str>,
    pub business_scope: &'a str,
    /// What it can deliver: people, places, reach ("4 social workers, 500 volunteers").
    pub capacity: &'a str,
    pub incubator_id: Option<Uuid>,
    pub incubator_level: Option<&'a str>,
    /// Catalogue items it may deliver (third-level codes).
    pub qualifications: &'a [String],
}

/// Registers (or, for community groups, files) an organisation in the city's directory, with its
/// qualifications, in one command. Registered organisations are entered where they registered:
/// a district or the city; filed groups where they are filed: a community or a street.
pub async fn register_organisation(
    app: &App,
    actor: &Actor,
    new: &NewOrganisation<'_>,
) -> Result<Uuid, AppError> {
    let name_zh = text(new.name_zh, "name_zh", 80)?;
    let name_en = match new.name_en.trim() {
        "" => name_zh.clone(),
        s => text(s, "name_en", 120)?,
    };
    let kind = OrgKind::parse(new.kind)?;
    let code = check_org_identity(kind, new.credit_code)?;
    let registered_on = match new.registered_on.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(d) => Some(format_date(
            parse_date(d).ok_or_else(|| invalid("date_invalid", "registered_on"))?,
        )),
    };
    let scope = text(new.business_scope, "business_scope", 500)?;
    let capacity = match new.capacity.trim() {
        "" => String::new(),
        s => text(s, "capacity", 300)?,
    };
    if let Some(l) = new.incubator_level {
        if !INCUBATOR_LEVELS.contains(&l) {
            return Err(invalid("incubator_level_unknown", "incubator_level"));
        }
        if new.incubator_id.is_none() {
            return Err(invalid("incubator_missing", "incubator_id"));
        }
    }
    let now = app.now();
    let mut cmd = Command::on(
        app,
        actor,
        Target::CityOf(new.registered_with),
        "organisation.register",
    )
    .await
    .map_err(|e| match e {
        AppError::NotFound(_) => invalid("jurisdiction_not_found", "registered_with"),
        other => other,
    })?;
    let read = &mut cmd.tx;
    let place = repo::jurisdiction_by_id(read, new.registered_with)
        .await?
        .ok_or_else(|| invalid("jurisdiction_not_found", "registered_with"))?;
    let level = Level::parse(&place.level)?;
    // Civil affairs registers at district or city level; groups are filed with a community or
    // a street; companies come from wherever the buyer found them.
    let fits = if kind.is_registered() {
        matches!(level, Level::City | Level::District)
    } else if kind.is_filed() {
        matches!(level, Level::Street | Level::Community)
    } else {
        true
    };
    if !fits {
        return Err(AppError::Invalid(
            DomainError::field("org_registered_at_wrong_level", "registered_with")
                .arg("kind", kind.key())
                .arg("level", &place.level),
        ));
    }
    actor
        .require(read, Permission::ManageOrganisations, place.id)
        .await?;
    let city = city_of(read, place.id).await?;
    let cat = catalogue(read, city, now).await?;
    let mut quals = new.qualifications.to_vec();
    quals.sort();
    quals.dedup();
    for q in &quals {
        cat.leaf(q)?;
    }
    if let Some(inc) = new.incubator_id
        && repo_p::organisation(read, inc).await?.is_none()
    {
        return Err(invalid("incubator_not_found", "incubator_id"));
    }

    if let Some(c) = &code
        && let Some(o) = repo_p::organisation_by_code(&mut cmd.tx, city, c).await?
    {
        return Err(AppError::Invalid(
            DomainError::field("credit_code_taken", "credit_code").arg("name", o.name_zh),
        ));
    }
    let id = new_id();
    cmd.insert(
        "organisations",
        &[
            ("tenant_id", city.into()),
            ("id", id.into()),
            ("name_zh", name_zh.into()),
            ("name_en", name_en.into()),
            ("kind", kind.key().into()),
            ("credit_code", Value::Text(code)),
            ("registered_with", place.id.into()),
            ("registered_on", Value::Text(registered_on)),
            ("business_scope", scope.into()),
            ("capacity", capacity.into()),
            ("incubator_id", new.incubator_id.into()),
            (
                "incubator_level",
                Value::Text(new.incubator_level.map(str::to_string)),
            ),
            ("created_at", now.micros().into()),
            ("created_by", actor.account_id.into()),
        ],
    )
    .await?;
    for q in &quals {
        insert_qualification(&mut cmd, city, id, q).await?;
    }
    cmd.commit().await?;
    Ok(id)
}

async fn insert_qualification(
    cmd: &mut Command<'_>,
    city: Uuid,
    org: Uuid,
    code: &str,
) -> Result<(), AppError> {
    let now = cmd.now();
    cmd.insert(
        "organisation_qualifications",
        &[
            ("tenant_id", city.into()),
            ("organisation_id", org.into()),
            ("catalogue_code", code.into()),
            ("granted_at", now.micros().into()),
        ],
    )
    .await
}

/// Loads an organisation and checks the actor keeps the directory where it is registered.
async fn managed_org(tx: &mut Tx, actor: &Actor, id: Uuid) -> Result<OrgRow, AppError> {
    let o = repo_p::organisation(tx, id)
        .await?
        .ok_or(AppError::NotFound("organisation"))?;
    actor
        .require(tx, Permission::ManageOrganisations, o.registered_with)
        .await?;
    Ok(o)
}

/// Adds catalogue items an organisation may deliver.
pub async fn qualify(
    app: &App,
    actor: &Actor,
    org: Uuid,
    codes: &[String],
) -> Result<(), AppError> {
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Organisation, org),
        "organisation.qualify",
    )
    .await?;
    let read = &mut cmd.tx;
    let o = managed_org(read, actor, org).await?;
    let cat = catalogue(read, o.tenant_id, app.now()).await?;
    let have = repo_p::qualifications(&mut cmd.tx, o.tenant_id, o.id).await?;
    let mut added = 0;
    for c in codes {
        cat.leaf(c)?;
        if !have.contains(c) {
            insert_qualification(&mut cmd, o.tenant_id, o.id, c).await?;
            added += 1;
        }
    }
    if added == 0 {
        return Err(invalid("qualification_nothing_new", "codes"));
    }
    cmd.commit().await?;
    Ok(())
}

/// Gives an account a staff seat in an organisation: it may then submit bids for it. The
/// directory's keeper grants the first seat; an organisation's admin may add more.
pub async fn seat_org_staff(
    app: &App,
    actor: &Actor,
    org: Uuid,
    account: Uuid,
    role: &str,
) -> Result<(), AppError> {
    if !ORG_STAFF_ROLES.contains(&role) {
        return Err(invalid("org_staff_role_unknown", "role"));
    }
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Organisation, org),
        "organisation.seat_staff",
    )
    .await?;
    let read = &mut cmd.tx;
    let o = repo_p::organisation(read, org)
        .await?
        .ok_or(AppError::NotFound("organisation"))?;
    let is_admin = match actor.account_id {
        Some(a) => repo_p::staff(read, o.tenant_id, o.id)
            .await?
            .iter()
            .any(|(acc, r)| *acc == a && r == "admin"),
        None => false,
    };
    if !is_admin {
        actor
            .require(read, Permission::ManageOrganisations, o.registered_with)
            .await?;
    }
    if repo::account_by_id(read, account).await?.is_none() {
        return Err(invalid("account_not_found", "account_id"));
    }
    if repo_p::staff(&mut cmd.tx, o.tenant_id, o.id)
        .await?
        .iter()
        .any(|(a, _)| *a == account)
    {
        return Err(invalid("org_staff_already_seated", "account_id"));
    }
    let now = cmd.now();
    cmd.insert(
        "organisation_staff",
        &[
            ("tenant_id", o.tenant_id.into()),
            ("organisation_id", o.id.into()),
            ("account_id", account.into()),
            ("role", role.into()),
            ("since", now.micros().into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(())
}

/// Blacklists an organisation: from `starts_on` to `ends_on` (open-ended without one) it cannot
/// bid, and the reason is shown to it and on its public profile.
pub async fn blacklist(
    app: &App,
    actor: &Actor,
    org: Uuid,
    reason: &str,
    starts_on: &str,
    ends_on: Option<&str>,
) -> Result<Uuid, AppError> {
    let reason = text(reason, "reason", 300)?;
    let starts =
        parse_date(starts_on.trim()).ok_or_else(|| invalid("date_invalid", "starts_on"))?;
    let ends = match ends_on.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(e) => Some(parse_date(e).ok_or_else(|| invalid("date_invalid", "ends_on"))?),
    };
    if ends.is_some_and(|e| e < starts) {
        return Err(invalid("sanction_ends_before_start", "ends_on"));
    }
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Organisation, org),
        "organisation.blacklist",
    )
    .await?;
    let read = &mut cmd.tx;
    let o = managed_org(read, actor, org).await?;
    let id = new_id();
    let now = cmd.now();
    cmd.insert(
        "organisation_sanctions",
        &[
            ("tenant_id", o.tenant_id.into()),
            ("id", id.into()),
            ("organisation_id", o.id.into()),
            ("reason", reason.into()),
            ("starts_on", format_date(starts).into()),
            ("ends_on", Value::Text(ends.map(format_date))),
            ("decided_by", o.registered_with.into()),
            ("created_at", now.micros().into()),
            ("lifted_at", Value::Int(None)),
            ("lift_reason", Value::Text(None)),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// Lifts a blacklisting early, with the reason recorded.
pub async fn lift_sanction(
    app: &App,
    actor: &Actor,
    org: Uuid,
    sanction: Uuid,
    reason: &str,
) -> Result<(), AppError> {
    let reason = text(reason, "reason", 300)?;
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Organisation, org),
        "organisation.lift_sanction",
    )
    .await?;
    let read = &mut cmd.tx;
    let o = managed_org(read, actor, org).await?;
    let s = repo_p::sanction(&mut cmd.tx, o.tenant_id, sanction)
        .await?
        .filter(|s| s.organisation_id == o.id)
        .ok_or(AppError::NotFound("sanction"))?;
    if s.lifted_at.is_some() {
        return Err(invalid("sanction_already_lifted", "sanction_id"));
    }
    let now = cmd.now();
    cmd.update(
        "organisation_sanctions",
        &[o.tenant_id.into(), s.id.into()],
        &[
            ("lifted_at", now.micros().into()),
            ("lift_reason", reason.into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(())
}

/// The sanction barring an organisation on `today` (YYYY-MM-DD), if any.
pub fn barring(sanctions: &[SanctionRow], today: &str) -> Option<SanctionRow> {
    sanctions
        .iter()
        .find(|s| {
            s.lifted_at.is_none()
                && s.starts_on.as_str() <= today
                && s.ends_on.as_deref().is_none_or(|e| today <= e)
        })
        .cloned()
}

/// An organisation's public profile: who it is, what it may deliver, its incubator, its
/// contracts and evaluations with every buyer, and any blacklisting (reason and period).
#[derive(Debug, Clone)]
pub struct OrgProfile {
    pub org: OrgRow,
    pub kind: OrgKind,
    pub registered_with: String,
    pub qualifications: Vec<(String, String, String)>,
    pub incubator: Option<OrgRow>,
    pub sanctions: Vec<SanctionRow>,
    pub barred: Option<SanctionRow>,
    pub contracts: Vec<gongzhi_store::procurement::ContractRow>,
    pub evaluations: Vec<EvaluationRow>,
    /// Mean evaluation score, when there is one.
    pub mean_score: Option<u32>,
}

pub async fn org_profile(app: &App, id: Uuid) -> Result<OrgProfile, AppError> {
    let mut tx = app.db.read().await?;
    let org = repo_p::organisation(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("organisation"))?;
    let kind = OrgKind::parse(&org.kind)?;
    let place = repo::jurisdiction_by_id(&mut tx, org.registered_with)
        .await?
        .map(|j| j.name_zh)
        .unwrap_or_default();
    let cat = catalogue(&mut tx, org.tenant_id, app.now()).await?;
    let qualifications = repo_p::qualifications(&mut tx, org.tenant_id, org.id)
        .await?
        .into_iter()
        .map(|c| {
            let item = cat.get(&c).cloned();
            let (zh, en) = item.map(|i| (i.zh, i.en)).unwrap_or_default();
            (c, zh, en)
        })
        .collect();
    let incubator = match org.incubator_id {
        Some(i) => repo_p::organisation(&mut tx, i).await?,
        None => None,
    };
    let sanctions = repo_p::sanctions(&mut tx, org.tenant_id, org.id).await?;
    let barred = barring(&sanctions, &format_date(app.now().china_date()));
    let contracts = repo_p::contracts_of_org(&mut tx, org.id).await?;
    let evaluations = repo_p::evaluations_of_org(&mut tx, org.id).await?;
    tx.rollback().await?;
    let mean_score = (!evaluations.is_empty()).then(|| {
        let n = evaluations.len() as i64;
        u32::try_from((evaluations.iter().map(|e| e.score).sum::<i64>() + n / 2) / n).unwrap_or(0)
    });
    Ok(OrgProfile {
        org,
        kind,
        registered_with: place,
        qualifications,
        incubator,
        sanctions,
        barred,
        contracts,
        evaluations,
        mean_score,
    })
}

/// A page of the city's directory, oldest first, after `after`.
pub async fn directory(
    app: &App,
    jurisdiction: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<OrgRow>, AppError> {
    let mut tx = app.db.reads().await?;
    let city = city_of(&mut tx, jurisdiction).await?;
    Ok(repo_p::organisations(&mut tx, city, after, limit.clamp(1, 200)).await?)
}

/// The organisations working in a place: registered with it or a place above it, oldest first.
pub async fn organisations_working_in(
    app: &App,
    place: Uuid,
    limit: i64,
) -> Result<Vec<OrgRow>, AppError> {
    let mut tx = app.db.reads().await?;
    let chain = gongzhi_store::repo::ancestors(&mut tx, place).await?;
    let Some(city) = chain.iter().find(|j| j.level == "city").map(|j| j.id) else {
        return Ok(Vec::new());
    };
    let places: Vec<Uuid> = chain.iter().map(|j| j.id).collect();
    Ok(repo_p::organisations_registered_with(&mut tx, city, &places, limit).await?)
}

/// The organisations an account acts for.
pub async fn organisations_of(app: &App, account: Uuid) -> Result<Vec<OrgRow>, AppError> {
    let mut tx = app.db.reads().await?;
    let mut out = Vec::new();
    for id in repo_p::organisations_of_account(&mut tx, account).await? {
        out.extend(repo_p::organisation(&mut tx, id).await?);
    }
    Ok(out)
}

/// Whether a kind key counts as a social organisation (for pages and reports).
pub fn is_social_org(kind: &str) -> bool {
    procurement::OrgKind::parse(kind).is_ok_and(OrgKind::is_social_org)
}
