use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use gongzhi_domain::person::{PersonName, Phone, check_password};
use gongzhi_domain::rulebook::RuleValue;
use gongzhi_domain::time::Instant;
use gongzhi_store::Value;
use gongzhi_store::repo::{self, AccountRow};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::authz::{Actor, Permission, role_permissions};
use crate::command::{Command, Target, tenant_of};
use crate::{App, AppError, new_id};

fn argon2(app: &App) -> Result<Argon2<'static>, AppError> {
    let params = Params::new(
        app.settings.argon2_memory_kib,
        app.settings.argon2_iterations,
        1,
        None,
    )
    .map_err(|_| AppError::invalid("argon2_params_invalid", "argon2"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password with Argon2id off the async threads.
pub async fn hash_password(app: &App, password: &str) -> Result<String, AppError> {
    let hasher = argon2(app)?;
    let _slot = app.password_slot().await;
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        hasher
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
    })
    .await
    .map_err(|_| AppError::invalid("internal", "password"))?
    .map_err(|_| AppError::invalid("internal", "password"))
}

async fn verify_password(app: &App, password: &str, stored: &str) -> Result<bool, AppError> {
    let hasher = argon2(app)?;
    let _slot = app.password_slot().await;
    let password = password.to_string();
    let stored = stored.to_string();
    tokio::task::spawn_blocking(move || match PasswordHash::new(&stored) {
        Ok(hash) => hasher.verify_password(password.as_bytes(), &hash).is_ok(),
        Err(_) => false,
    })
    .await
    .map_err(|_| AppError::invalid("internal", "password"))
}

/// A hash that no password matches, verified when the login names nobody, so that a wrong
/// username takes as long as a wrong password and accounts cannot be enumerated by timing.
async fn dummy_verify(app: &App, password: &str) -> Result<(), AppError> {
    let dummy = match app.dummy_password_hash.get() {
        Some(h) => h.clone(),
        None => {
            let h = hash_password(app, "gongzhi-dummy-password").await?;
            app.dummy_password_hash.get_or_init(|| h).clone()
        }
    };
    verify_password(app, password, &dummy).await.map(|_| ())
}

pub struct NewAccount<'a> {
    pub username: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub display_name: &'a str,
    pub password: &'a str,
    pub locale: &'a str,
}

fn check_username(username: &str) -> Result<String, AppError> {
    let u = username.trim().to_lowercase();
    let ok = (3..=32).contains(&u.len())
        && u.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-' || b == b'.'
        });
    if ok {
        Ok(u)
    } else {
        Err(AppError::invalid("username_invalid", "username"))
    }
}

/// Validates and inserts an account inside an open command (used by set-up and by staff).
pub async fn insert_account(
    cmd: &mut Command<'_>,
    app: &App,
    new: &NewAccount<'_>,
) -> Result<Uuid, AppError> {
    let username = new
        .username
        .filter(|u| !u.trim().is_empty())
        .map(check_username)
        .transpose()?;
    let phone = new
        .phone
        .filter(|p| !p.trim().is_empty())
        .map(Phone::parse)
        .transpose()?;
    if username.is_none() && phone.is_none() {
        return Err(AppError::invalid("login_identifier_required", "username"));
    }
    let name = PersonName::parse(new.display_name)?;
    check_password(new.password, app.settings.password_min_chars)?;
    let locale = if new.locale == "en" { "en" } else { "zh-CN" };
    let hash = hash_password(app, new.password).await?;
    let id = new_id();
    cmd.insert(
        "accounts",
        &[
            ("id", id.into()),
            ("username", Value::from(username)),
            ("phone", Value::from(phone.map(|p| p.as_str().to_string()))),
            ("display_name", name.as_str().into()),
            ("password_hash", hash.into()),
            ("locale", locale.into()),
            ("disabled", false.into()),
            ("created_at", app.now().micros().into()),
        ],
    )
    .await?;
    Ok(id)
}

/// Creates an account for someone in `jurisdiction` and grants them `role` there.
pub async fn create_account(
    app: &App,
    actor: &Actor,
    jurisdiction: Uuid,
    role: &str,
    new: &NewAccount<'_>,
) -> Result<Uuid, AppError> {
    if role_permissions(role).is_none() {
        return Err(AppError::invalid("role_unknown", "role"));
    }
    let mut cmd = Command::on(app, actor, Target::Place(jurisdiction), "account.create").await?;
    let read = &mut cmd.tx;
    // Creating a resident account is staff work; anything else is a role grant.
    let needed = if role == "resident" {
        Permission::ManageResidents
    } else {
        Permission::ManageRoles
    };
    actor.require(read, needed, jurisdiction).await?;
    let id = insert_account(&mut cmd, app, new).await?;
    insert_grant(&mut cmd, app, id, jurisdiction, role).await?;
    cmd.commit().await?;
    Ok(id)
}

pub async fn insert_grant(
    cmd: &mut Command<'_>,
    app: &App,
    account: Uuid,
    jurisdiction: Uuid,
    role: &str,
) -> Result<Uuid, AppError> {
    let id = new_id();
    let tenant = cmd.tenant_id();
    cmd.insert(
        "role_grants",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("account_id", account.into()),
            ("jurisdiction_id", jurisdiction.into()),
            ("role", role.into()),
            ("granted_at", app.now().micros().into()),
        ],
    )
    .await?;
    Ok(id)
}

pub async fn grant_role(
    app: &App,
    actor: &Actor,
    account: Uuid,
    jurisdiction: Uuid,
    role: &str,
) -> Result<Uuid, AppError> {
    if role_permissions(role).is_none() {
        return Err(AppError::invalid("role_unknown", "role"));
    }
    let mut cmd = Command::on(app, actor, Target::Place(jurisdiction), "role.grant").await?;
    let read = &mut cmd.tx;
    actor
        .require(read, Permission::ManageRoles, jurisdiction)
        .await?;
    repo::account_by_id(read, account)
        .await?
        .ok_or(AppError::NotFound("account"))?;
    let id = insert_grant(&mut cmd, app, account, jurisdiction, role).await?;
    cmd.commit().await?;
    Ok(id)
}

/// Offices that rules name (sign-off chains, conveners). Holding one is a fact with a term.
pub const OFFICES: &[&str] = &[
    "council_member",
    "council_convener",
    "supervisor",
    "party_secretary",
    "committee_director",
    "committee_member",
    "accountant",
    "custodian",
    "evaluator",
    "integrity_monitor",
];

pub async fn assign_office(
    app: &App,
    actor: &Actor,
    jurisdiction: Uuid,
    office: &str,
    account: Uuid,
    term_start: &str,
    term_end: Option<&str>,
) -> Result<Uuid, AppError> {
    if !OFFICES.contains(&office) {
        return Err(AppError::invalid("office_unknown", "office"));
    }
    let start = gongzhi_domain::time::parse_date(term_start)
        .ok_or_else(|| AppError::invalid("date_invalid", "term_start"))?;
    if let Some(end) = term_end {
        let end = gongzhi_domain::time::parse_date(end)
            .ok_or_else(|| AppError::invalid("date_invalid", "term_end"))?;
        if end < start {
            return Err(AppError::invalid("term_end_before_start", "term_end"));
        }
    }
    let mut cmd = Command::on(app, actor, Target::Place(jurisdiction), "office.assign").await?;
    let read = &mut cmd.tx;
    let tenant = tenant_of(read, jurisdiction).await?;
    // Everything the decision rests on is read in the command's own transaction.
    let chain = repo::ancestors(&mut cmd.tx, jurisdiction).await?;
    actor.require_in(&chain, Permission::ManageOffices)?;
    repo::account_by_id(&mut cmd.tx, account)
        .await?
        .ok_or(AppError::NotFound("account"))?;
    let now = app.now();
    let RuleValue::OfficeAppointment(rule) = crate::rules::rule_in_chain(
        &mut cmd.tx,
        &chain,
        "office.appointment",
        now.china_date(),
        now,
    )
    .await?
    else {
        return Err(AppError::invalid("rule_missing", "office.appointment"));
    };
    let days_back = (now.china_date() - start).whole_days();
    rule.check(
        office,
        &actor.levels_holding(&chain, Permission::ManageOffices),
        actor.account_id == Some(account),
        days_back,
    )?;
    let id = new_id();
    cmd.insert(
        "offices",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("jurisdiction_id", jurisdiction.into()),
            ("office", office.into()),
            ("account_id", account.into()),
            ("term_start", term_start.into()),
            ("term_end", Value::from(term_end)),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// A signed-in session: the token goes to the client once; only its hash is stored.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub account_id: Uuid,
    pub expires_at: Instant,
}

/// The enabled account with this username, as (id, display name): pages that name a colleague
/// (a scoring panel) by the username they sign in with.
pub async fn account_by_username(
    app: &App,
    username: &str,
) -> Result<Option<(Uuid, String)>, AppError> {
    let mut tx = app.db.reads().await?;
    let found = repo::accounts_for_login(&mut tx, username.trim(), None).await?;
    Ok(found
        .into_iter()
        .find(|a| a.username.as_deref() == Some(username.trim()) && !a.disabled)
        .map(|a| (a.id, a.display_name)))
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Minutes until `until`, rounded up: "wait 1 minute" rather than "wait 0 minutes".
fn minutes_until(until: i64, now: i64) -> i64 {
    (until - now + 59_999_999) / 60_000_000
}

/// Logs in by username or phone number and password. Attempts are limited per account and per
/// client address within a window; past the limit both are locked for a while with a message
/// that says how long.
///
/// Each attempt is *reserved* before its password is verified: one short write transaction
/// counts it against the address and every account the identifier names, in one atomic
/// statement per key, and refuses it once a count passes its limit. So a hundred attempts fired
/// at once are counted one after another, and at most the limit of them reach Argon2; the rest
/// are refused without it. A successful login gives its reservation back and clears the
/// account's count: successful logins are never limited. At most `App::password_slots` hashes
/// run at once, so a burst cannot occupy every core.
pub async fn login(
    app: &App,
    identifier: &str,
    password: &str,
    address: &str,
) -> Result<Session, AppError> {
    let identifier = identifier.trim();
    if identifier.is_empty() || password.is_empty() {
        return Err(AppError::invalid("login_fields_required", "identifier"));
    }
    let now = app.now().micros();
    let window_from = now - app.settings.login_window_secs * 1_000_000;
    let lockout_until = now + app.settings.login_lockout_secs * 1_000_000;
    let address_key = format!("addr:{address}");
    let mut read = app.db.read().await?;
    let phone = Phone::parse(identifier).ok();
    let candidates: Vec<AccountRow> = repo::accounts_for_login(
        &mut read,
        &identifier.to_lowercase(),
        phone.as_ref().map(Phone::as_str),
    )
    .await?
    .into_iter()
    .filter(|a| !a.disabled)
    .collect();
    read.rollback().await?;
    let keys: Vec<(String, i64)> =
        std::iter::once((address_key.clone(), app.settings.login_max_failures_address))
            .chain(candidates.iter().map(|a| {
                (
                    format!("acct:{}", a.id),
                    app.settings.login_max_failures_account,
                )
            }))
            .collect();
    // Reserve the attempt on every key; the verification below runs outside any transaction,
    // so a burst of logins never holds up the community's other writes.
    let mut tx = app.db.begin().await?;
    let mut locked: Option<i64> = None;
    let mut crowded = false;
    let mut reached_limit = Vec::new();
    for (key, max) in &keys {
        let (attempts, until) = repo::throttle_reserve(&mut tx, key, now, window_from).await?;
        match until {
            Some(u) if u > now => locked = locked.max(Some(u)),
            // More attempts in the window than allowed, counting those still being checked: a
            // burst. This one is not checked, and locks nothing (a crowd signing in behind one
            // address at once is not guessing); failures alone lock a key, below.
            _ if attempts > *max => crowded = true,
            _ if attempts == *max => reached_limit.push(key.clone()),
            _ => {}
        }
    }
    if locked.is_some() || crowded {
        // Not evaluated: the attempt gives its reservations back.
        for (key, _) in &keys {
            repo::throttle_release(&mut tx, key).await?;
        }
        tx.commit().await?;
        return Err(AppError::Locked {
            minutes: locked.map_or(1, |until| minutes_until(until, now)),
        });
    }
    tx.commit().await?;
    // The reservation is settled whatever happens to the request: a client that hangs up while
    // its password is being checked must neither leak the reservation (locking out the rightful
    // owner) nor escape counting as a failure. So the rest runs as a task of its own, which
    // dropping this future does not cancel.
    let attempt = Attempt {
        app: app.clone(),
        password: password.to_string(),
        candidates,
        address_key,
        reached_limit,
        now,
        lockout_until,
    };
    tokio::spawn(attempt.settle())
        .await
        .map_err(|_| AppError::invalid("internal", "password"))?
}

/// A reserved sign-in attempt, checked and settled: a success gives the address its reservation
/// back, clears the account's count and opens a session; a failure that used up a key's
/// allowance locks it, so the next attempt hears how long.
struct Attempt {
    app: App,
    password: String,
    candidates: Vec<AccountRow>,
    address_key: String,
    reached_limit: Vec<String>,
    now: i64,
    lockout_until: i64,
}

impl Attempt {
    async fn settle(self) -> Result<Session, AppError> {
        let app = &self.app;
        let mut matched = None;
        if self.candidates.is_empty() {
            dummy_verify(app, &self.password).await?;
        }
        for a in &self.candidates {
            if verify_password(app, &self.password, &a.password_hash).await? {
                matched = Some(a.id);
                break;
            }
        }
        let mut tx = app.db.begin().await?;
        let Some(account_id) = matched else {
            for key in &self.reached_limit {
                repo::throttle_lock(&mut tx, key, self.lockout_until).await?;
            }
            tx.commit().await?;
            return Err(AppError::invalid("login_failed", "password"));
        };
        // Keys are always written address first, then accounts, as when reserving: two sign-ins
        // never wait for each other's rows in opposite orders.
        repo::throttle_release(&mut tx, &self.address_key).await?;
        repo::throttle_clear(&mut tx, &format!("acct:{account_id}")).await?;
        let token = new_token();
        let expires = self.now + app.settings.session_ttl_secs * 1_000_000;
        repo::session_insert(&mut tx, &token_hash(&token), account_id, self.now, expires).await?;
        tx.commit().await?;
        Ok(Session {
            token,
            account_id,
            expires_at: Instant::from_micros(expires),
        })
    }
}

/// The actor behind a session token, if the session is live.
/// The signed-in person as pages and the API see them: who they are and the language they
/// chose, never their password hash or phone number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub id: Uuid,
    pub username: Option<String>,
    pub display_name: String,
    pub locale: String,
}

pub async fn actor_for_token(
    app: &App,
    token: &str,
) -> Result<Option<(Actor, SignedIn)>, AppError> {
    let Some((account, acting_for, grants)) =
        repo::session_actor(&app.db, &token_hash(token), app.now().micros()).await?
    else {
        return Ok(None);
    };
    if account.disabled {
        return Ok(None);
    }
    let actor = Actor {
        account_id: Some(account.id),
        grants,
        on_behalf_of: acting_for,
        channel: "online",
    };
    let signed_in = SignedIn {
        id: account.id,
        username: account.username,
        display_name: account.display_name,
        locale: account.locale,
    };
    Ok(Some((actor, signed_in)))
}

pub async fn logout(app: &App, token: &str) -> Result<(), AppError> {
    let mut tx = app.db.begin().await?;
    repo::session_delete(&mut tx, &token_hash(token)).await?;
    tx.commit().await?;
    Ok(())
}

/// Changes one's own password; other sessions of the account are signed out.
pub async fn change_password(
    app: &App,
    actor: &Actor,
    current_token: &str,
    old: &str,
    new: &str,
) -> Result<(), AppError> {
    let account_id = actor.account_id.ok_or(AppError::Unauthenticated)?;
    check_password(new, app.settings.password_min_chars)?;
    let mut read = app.db.read().await?;
    let account = repo::account_by_id(&mut read, account_id)
        .await?
        .ok_or(AppError::NotFound("account"))?;
    let root = repo::root_jurisdiction(&mut read)
        .await?
        .ok_or(AppError::NotFound("jurisdiction"))?;
    read.rollback().await?;
    if !verify_password(app, old, &account.password_hash).await? {
        return Err(AppError::invalid("password_wrong", "old_password"));
    }
    let hash = hash_password(app, new).await?;
    let mut cmd = Command::begin(app, actor, root.id, "account.change_password").await?;
    cmd.update(
        "accounts",
        &[account_id.into()],
        &[("password_hash", hash.into())],
    )
    .await?;
    repo::sessions_delete_for_account(&mut cmd.tx, account_id, Some(&token_hash(current_token)))
        .await?;
    cmd.commit().await?;
    Ok(())
}

/// A staff member starts acting for a resident (代办: an elderly resident at the counter or on a
/// home visit). The resident's consent and how it was given are recorded in the resident's
/// community chain; from then on every command of this session carries the resident in its
/// event (`on_behalf_of`), and the resident's own acts (an objection, a rating) are theirs.
/// Staff who may manage the resident's place only; one resident at a time.
pub async fn start_assisting(
    app: &App,
    actor: &Actor,
    token: &str,
    community: Uuid,
    resident: Uuid,
    consent: &str,
) -> Result<(), AppError> {
    if !gongzhi_domain::person::CONSENT_METHODS.contains(&consent) {
        return Err(AppError::invalid("consent_method_unknown", "consent"));
    }
    if actor.on_behalf_of.is_some() {
        return Err(AppError::invalid("already_assisting", "resident_id"));
    }
    let mut read = app.db.read().await?;
    let (tenant, _, courtyard) = repo::resident_anywhere(&mut read, resident)
        .await?
        .filter(|(t, _, _)| *t == community)
        .ok_or(AppError::NotFound("resident"))?;
    actor
        .require(
            &mut read,
            Permission::ManageResidents,
            courtyard.unwrap_or(tenant),
        )
        .await?;
    read.rollback().await?;
    let assisting = Actor {
        on_behalf_of: Some(resident),
        ..actor.clone()
    };
    let mut cmd = Command::begin(app, &assisting, tenant, "assist.start").await?;
    cmd.detail("consent", consent);
    if !repo::session_set_acting_for(&mut cmd.tx, &token_hash(token), Some(resident)).await? {
        return Err(AppError::Unauthenticated);
    }
    cmd.commit().await?;
    Ok(())
}

/// The staff member stops acting for the resident; recorded like the start.
pub async fn stop_assisting(app: &App, actor: &Actor, token: &str) -> Result<(), AppError> {
    let resident = actor
        .on_behalf_of
        .ok_or_else(|| AppError::invalid("not_assisting", "resident_id"))?;
    let mut read = app.db.read().await?;
    let found = repo::resident_anywhere(&mut read, resident).await?;
    read.rollback().await?;
    match found {
        Some((tenant, _, _)) => {
            let mut cmd = Command::begin(app, actor, tenant, "assist.stop").await?;
            repo::session_set_acting_for(&mut cmd.tx, &token_hash(token), None).await?;
            cmd.commit().await?;
        }
        // The resident's record was voided meanwhile: nothing to record against, only stop.
        None => {
            let mut tx = app.db.begin().await?;
            repo::session_set_acting_for(&mut tx, &token_hash(token), None).await?;
            tx.commit().await?;
        }
    }
    Ok(())
}

/// The name of the resident a session acts for, for the banner staff see on every page.
pub async fn assisted_name(app: &App, actor: &Actor) -> Option<String> {
    let resident = actor.on_behalf_of?;
    let mut tx = app.db.reads().await.ok()?;
    repo::resident_anywhere(&mut tx, resident)
        .await
        .ok()
        .flatten()
        .map(|(_, name, _)| name)
}
