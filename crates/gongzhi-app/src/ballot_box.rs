//! The sealed ballot box that council elections and residents' budget votes share.
//!
//! A ballot goes in with a random (v4, not time-ordered) id, its box, its choices and nothing
//! else: no voter, no time, no image in the chain (`Command::insert_sealed`). Opening the box
//! takes every ballot out, refuses to count when their number differs from the marks on the roll,
//! and puts them back imaged in the closing event, in the order of their random ids, so the
//! chain proves every ballot after the count and no order of events pairs a voter with a ballot.

use gongzhi_domain::notification::{MessageKind, Subject};
use gongzhi_store::elections as repo_e;
use gongzhi_store::{Tx, Value};
use uuid::Uuid;

use gongzhi_domain::DomainError;

use crate::AppError;
use crate::authz::{Actor, Permission};
use crate::command::Command;
use crate::input::invalid;

/// Puts one ballot (its choices, already sorted so they keep no ticking order) into a box.
pub(crate) async fn seal(
    cmd: &mut Command<'_>,
    tenant: Uuid,
    box_id: Uuid,
    choices: &str,
) -> Result<(), AppError> {
    cmd.insert_sealed(
        "sealed_ballots",
        &[
            ("tenant_id", tenant.into()),
            ("box_id", box_id.into()),
            ("id", Uuid::new_v4().into()),
            ("choices", choices.into()),
        ],
    )
    .await
}

/// Takes every ballot out of a box, in id order, checking their number against `marks` (voters
/// marked as having put a ballot in). `field` names the box in the error.
pub(crate) async fn take(
    tx: &mut Tx,
    tenant: Uuid,
    box_id: Uuid,
    marks: i64,
    field: &'static str,
) -> Result<Vec<(Uuid, String)>, AppError> {
    let ballots = repo_e::take_ballots(tx, tenant, box_id).await?;
    if ballots.len() as i64 != marks {
        // Somebody added or removed ballots behind the application: refuse to count.
        return Err(AppError::Invalid(
            DomainError::field("ballot_box_count_mismatch", field)
                .arg("marks", marks)
                .arg("ballots", ballots.len()),
        ));
    }
    Ok(ballots)
}

/// Puts the counted ballots back, imaged in this command's event, and records the box as opened.
pub(crate) async fn put_back_opened(
    cmd: &mut Command<'_>,
    tenant: Uuid,
    box_id: Uuid,
    ballots: &[(Uuid, String)],
) -> Result<(), AppError> {
    let rows: Vec<Vec<Value>> = ballots
        .iter()
        .map(|(id, choices)| {
            vec![
                tenant.into(),
                box_id.into(),
                (*id).into(),
                choices.as_str().into(),
            ]
        })
        .collect();
    for chunk in rows.chunks(500) {
        cmd.insert_many(
            "sealed_ballots",
            &["tenant_id", "box_id", "id", "choices"],
            chunk,
        )
        .await?;
    }
    cmd.detail("opened_box", box_id.to_string());
    Ok(())
}

/// Writes a roll (the voters of a box, snapshotted when voting opens) in batches:
/// `table(tenant_id, owner_column, voter_column)`, and tells everyone on it with an account that
/// voting is open (`about`: the box, its title and when it closes).
pub(crate) async fn snapshot_roll(
    cmd: &mut Command<'_>,
    table: &'static str,
    columns: [&str; 3],
    (tenant, owner): (Uuid, Uuid),
    roll: &[Uuid],
    (about, title, closes_at): (Subject, &str, i64),
) -> Result<(), AppError> {
    let rows: Vec<Vec<Value>> = roll
        .iter()
        .map(|r| vec![tenant.into(), owner.into(), (*r).into()])
        .collect();
    for chunk in rows.chunks(500) {
        cmd.insert_many(table, &columns, chunk).await?;
    }
    cmd.detail("electorate", roll.len());
    let voters =
        gongzhi_store::notifications::roll_accounts(&mut cmd.tx, table, columns, tenant, owner)
            .await?;
    cmd.notify(
        voters,
        MessageKind::VoteOpened,
        (about, owner),
        serde_json::json!({"title": title, "closes_at": closes_at}),
    )
    .await
}

/// Whose ballot this is, and who entered it: the signed-in resident's own, or, with
/// `for_resident` (or while staff act for a resident with her consent, 代办), one that staff
/// holding `perm` at `place` enter for a resident (assisted or paper). `field` names the box in
/// the error.
pub(crate) async fn ballot_holder(
    tx: &mut Tx,
    actor: &Actor,
    tenant: Uuid,
    for_resident: Option<Uuid>,
    (perm, place): (Permission, Uuid),
    field: &'static str,
) -> Result<(Uuid, Option<Uuid>), AppError> {
    match for_resident.or(actor.on_behalf_of) {
        Some(r) => {
            actor.require(tx, perm, place).await?;
            Ok((r, actor.account_id))
        }
        None => {
            let account = actor.account_id.ok_or(AppError::Unauthenticated)?;
            let (r, _) = gongzhi_store::projects::resident_by_account(tx, tenant, account)
                .await?
                .ok_or_else(|| invalid("ballot_not_on_roll", field))?;
            Ok((r, None))
        }
    }
}

/// The resident whose ballot the signed-in person would cast: the one staff act for with her
/// consent (代办), else their own; `None` for a visitor or someone on no roll here.
pub(crate) async fn ballot_resident(
    tx: &mut Tx,
    actor: &Actor,
    tenant: Uuid,
) -> Result<Option<Uuid>, AppError> {
    if let Some(r) = actor.on_behalf_of {
        return Ok(Some(r));
    }
    let Some(account) = actor.account_id else {
        return Ok(None);
    };
    Ok(
        gongzhi_store::projects::resident_by_account(tx, tenant, account)
            .await?
            .map(|(r, _)| r),
    )
}

/// A voter's mark on the roll as read (`None`: not on the roll; `Some(Some(_))`: voted), checked
/// before a ballot goes in.
pub(crate) fn check_unmarked(
    mark: Option<Option<i64>>,
    field: &'static str,
) -> Result<(), AppError> {
    match mark {
        None => Err(invalid("ballot_not_on_roll", field)),
        Some(Some(_)) => Err(invalid("ballot_already_cast", field)),
        Some(None) => Ok(()),
    }
}
