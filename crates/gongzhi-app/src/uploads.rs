//! Uploaded files (photos of needs, invoices and receipts): checked by their bytes, stripped of
//! location data, stored once per community under their SHA-256, which is what events record.

use gongzhi_domain::media::{MediaType, strip_location};
use gongzhi_store::repo;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::authz::{Actor, Permission};
use crate::command::{Command, tenant_of};
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
    let kind = MediaType::sniff(bytes)?;
    let clean = strip_location(kind, bytes)?;
    let sha256 = hex::encode(Sha256::digest(&clean));
    let mut read = app.db.read().await?;
    actor
        .require(&mut read, Permission::Upload, community)
        .await?;
    if tenant_of(&mut read, community).await? != community {
        return Err(AppError::invalid("not_a_community", "community_id"));
    }
    let exists = repo::upload(&mut read, community, &sha256).await?.is_some();
    read.rollback().await?;
    let stored = Stored {
        sha256: sha256.clone(),
        media_type: kind.mime(),
        size: clean.len(),
    };
    if exists {
        return Ok(stored);
    }
    let mut cmd = Command::begin(app, actor, community, "upload.store").await?;
    let size = i64::try_from(clean.len()).unwrap_or(i64::MAX);
    cmd.insert(
        "uploads",
        &[
            ("tenant_id", community.into()),
            ("sha256", sha256.into()),
            ("media_type", kind.mime().into()),
            ("size", size.into()),
            ("content", clean.into()),
            ("uploaded_at", app.now().0.into()),
            ("uploaded_by", actor.account_id.into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(stored)
}

/// Reads a file back, for people entitled to the community's non-public records.
pub async fn fetch(
    app: &App,
    actor: &Actor,
    community: Uuid,
    sha256: &str,
) -> Result<(String, Vec<u8>), AppError> {
    let mut read = app.db.read().await?;
    actor
        .require(&mut read, Permission::Upload, community)
        .await?;
    let found = repo::upload(&mut read, community, &sha256.to_ascii_lowercase())
        .await?
        .ok_or(AppError::NotFound("upload"))?;
    read.rollback().await?;
    Ok(found)
}
