//! Uploaded files (photos of needs, invoices and receipts): checked by their bytes, stripped of
//! location data, stored once per community under their SHA-256, which is what events record.

use gongzhi_domain::media::{MediaType, strip_location};
use gongzhi_store::repo;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::authz::{Actor, Permission};
use crate::command::{Command, Target, tenant_of};
use crate::{App, AppError};

/// Largest single file accepted (a phone photo is 2–6 MB; an invoice PDF less).
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub sha256: String,
    pub media_type: &'static str,
    pub size: usize,
}

/// Stores the document attached to a form (an invoice), if one was chosen, and returns its hash;
/// none chosen gives an empty hash, which the command then refuses with its own message.
/// Content-addressed, so a command refused afterwards leaves only the file.
pub async fn store_attached(
    app: &App,
    actor: &Actor,
    community: Uuid,
    bytes: &[u8],
) -> Result<String, AppError> {
    if bytes.is_empty() {
        return Ok(String::new());
    }
    Ok(store(app, actor, community, bytes).await?.sha256)
}

/// Stores a file for a community. The same content stored twice is the same upload (idempotent).
pub async fn store(
    app: &App,
    actor: &Actor,
    community: Uuid,
    bytes: &[u8],
) -> Result<Stored, AppError> {
    if bytes.is_empty() {
        return Err(AppError::invalid("upload_empty", "file"));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(AppError::Invalid(
            gongzhi_domain::DomainError::field("upload_too_large", "file")
                .arg("max_mb", MAX_FILE_BYTES / (1024 * 1024)),
        ));
    }
    // Authorised before the file is looked at.
    let mut cmd = Command::on(app, actor, Target::Tenant(community), "upload.store").await?;
    let read = &mut cmd.tx;
    actor
        .require_in_community(read, Permission::Upload, community)
        .await?;
    if tenant_of(read, community).await? != community {
        return Err(AppError::invalid("not_a_community", "community_id"));
    }
    let kind = MediaType::sniff(bytes)?;
    let clean = strip_location(kind, bytes)?;
    let sha256 = hex::encode(Sha256::digest(&clean));
    let exists = repo::upload(read, community, &sha256).await?.is_some();
    let stored = Stored {
        sha256: sha256.clone(),
        media_type: kind.mime(),
        size: clean.len(),
    };
    if exists {
        return Ok(stored);
    }
    let size = i64::try_from(clean.len()).unwrap_or(i64::MAX);
    // Quotas, read in the command's transaction: the community's chain lock serialises uploads
    // to one community, so two at once cannot both slip under its quota.
    let since = app.now().micros() - 86_400_000_000;
    let (community_bytes, account_bytes) =
        repo::uploaded_since(&mut cmd.tx, community, actor.account_id, since).await?;
    let mb = |b: i64| b / (1024 * 1024);
    if account_bytes.saturating_add(size) > app.settings.upload_quota_account_bytes {
        return Err(AppError::Invalid(
            gongzhi_domain::DomainError::field("upload_quota_account", "file")
                .arg("mb", mb(app.settings.upload_quota_account_bytes)),
        ));
    }
    if community_bytes.saturating_add(size) > app.settings.upload_quota_community_bytes {
        return Err(AppError::Invalid(
            gongzhi_domain::DomainError::field("upload_quota_community", "file")
                .arg("mb", mb(app.settings.upload_quota_community_bytes)),
        ));
    }
    cmd.insert(
        "uploads",
        &[
            ("tenant_id", community.into()),
            ("sha256", sha256.into()),
            ("media_type", kind.mime().into()),
            ("size", size.into()),
            ("content", clean.into()),
            ("uploaded_at", app.now().micros().into()),
            ("uploaded_by", actor.account_id.into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(stored)
}

/// Whether `actor` may read an upload: whoever may read a record it is attached to. Public
/// evidence (a project's progress photo, a quote, a contract — put there by staff) is public;
/// an invoice is read by those who keep or audit the funds where it was spent; a need's photo by
/// the resident who reported it and the staff who follow needs up. Whoever uploaded a file may
/// always read it back. Nobody else, whatever they may upload.
pub async fn may_read(
    read: &mut gongzhi_store::Tx,
    actor: &Actor,
    community: Uuid,
    sha256: &str,
) -> Result<bool, AppError> {
    let Some((uploader, attached)) = repo::upload_attachments(read, community, sha256).await?
    else {
        return Err(AppError::NotFound("upload"));
    };
    if actor.is_system() || (uploader.is_some() && uploader == actor.account_id) {
        return Ok(true);
    }
    for a in attached {
        let allowed = match a {
            repo::Attachment::Public => true,
            repo::Attachment::Invoice {
                place,
                signers_json,
            } => {
                signs(actor, signers_json.as_deref())
                    || actor.can(read, Permission::ManageFunds, place).await?
                    || actor.can(read, Permission::ReadAudit, place).await?
            }
            repo::Attachment::NeedPhoto { place, reporter } => {
                (reporter.is_some() && reporter == actor.account_id)
                    || actor.can(read, Permission::ManageProjects, place).await?
            }
        };
        if allowed {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether the actor is among an expense's pinned signers (`ledger::Signer`s by step, as JSON).
fn signs(actor: &Actor, signers_json: Option<&str>) -> bool {
    let (Some(me), Some(json)) = (actor.account_id, signers_json) else {
        return false;
    };
    let steps: Vec<Vec<crate::ledger::Signer>> = serde_json::from_str(json).unwrap_or_default();
    steps.iter().flatten().any(|s| s.id == me)
}

/// [`may_read`] for a page deciding whether to link a file; a failed read links nothing.
pub async fn may_read_file(app: &App, actor: &Actor, community: Uuid, sha256: &str) -> bool {
    let Ok(mut read) = app.db.read().await else {
        return false;
    };
    let ok = may_read(&mut read, actor, community, &sha256.to_ascii_lowercase())
        .await
        .unwrap_or(false);
    let _ = read.rollback().await;
    ok
}

/// Reads a file back, for those who may read a record it is attached to ([`may_read`]).
pub async fn fetch(
    app: &App,
    actor: &Actor,
    community: Uuid,
    sha256: &str,
) -> Result<(String, Vec<u8>), AppError> {
    let sha256 = sha256.to_ascii_lowercase();
    let mut read = app.db.read().await?;
    if !may_read(&mut read, actor, community, &sha256).await? {
        return Err(if actor.account_id.is_none() {
            AppError::Unauthenticated
        } else {
            AppError::Forbidden
        });
    }
    let found = repo::upload(&mut read, community, &sha256)
        .await?
        .ok_or(AppError::NotFound("upload"))?;
    read.rollback().await?;
    Ok(found)
}
