//! Roles are permission sets granted on a jurisdiction; a grant applies there and everywhere
//! below it. Offices (council member, supervisor, accountant…) are different: they are positions
//! held for a term and are what rules such as sign-off chains name. Every permission check in
//! Gongzhi goes through `Actor::require`.

use gongzhi_store::Tx;
use gongzhi_store::repo;
use uuid::Uuid;

use crate::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Create jurisdictions below this one.
    ManageJurisdictions,
    /// Buildings and households.
    ManagePlaces,
    /// Register, import, amend, merge and void residents.
    ManageResidents,
    /// See residents' names, phones and ID numbers (each read is logged).
    ReadPersonal,
    /// Record who holds an office.
    ManageOffices,
    /// Grant and revoke roles.
    ManageRoles,
    /// Change the rulebook.
    SetRules,
    /// Read the audit log and take an auditor's export.
    ReadAudit,
    /// Move a manual (demo) clock.
    AdvanceClock,
    /// Upload files (photos, invoices) to a community and read its uploads back.
    Upload,
    /// Set up councils, seat members, schedule meetings, act as the meeting's secretary (take
    /// attendance, record votes called in the room, close votes, answer objections).
    ManageCouncils,
    /// Keep the community's funds: open funds, record money received and donations, reserve
    /// approved project budgets, submit expenses, close budgets, post statements, correct
    /// transfers. Signing and paying are offices (sign-off chain, custodian), not this permission.
    ManageFunds,
    /// Keep the needs ledger (record needs heard on any channel, import, assign, reply, merge)
    /// and carry projects along the pipeline (propose, screen, table at councils, record each
    /// step's evidence, quotes, progress, acceptance, close-out, disclosure).
    ManageProjects,
    /// File (备案) a community's project decisions: the street office's step in some districts.
    FileProjects,
    /// Keep the supplier directory where one registers or files organisations: register and
    /// file them, grant qualifications and staff seats, blacklist and lift.
    ManageOrganisations,
    /// Buy services for this jurisdiction: purchase plans, calls, panels, awards, contracts,
    /// milestones and evaluations.
    ManagePurchases,
}

use Permission::*;

/// The roles and what each may do. Kept in code because a role is a security boundary that
/// reviewers must see in one place; who holds which role where is data.
pub const ROLES: &[(&str, &[Permission])] = &[
    ("resident", &[Upload]),
    (
        "staff",
        &[
            ManagePlaces,
            ManageResidents,
            ReadPersonal,
            ManageOffices,
            Upload,
            ManageCouncils,
            ManageFunds,
            ManageProjects,
            ManageOrganisations,
            ManagePurchases,
        ],
    ),
    (
        "official",
        &[
            ManageJurisdictions,
            ManagePlaces,
            ManageOffices,
            FileProjects,
            ManageOrganisations,
            ManagePurchases,
        ],
    ),
    ("org_staff", &[Upload]),
    ("auditor", &[ReadAudit]),
    (
        "admin",
        &[
            ManageJurisdictions,
            ManagePlaces,
            ManageResidents,
            ReadPersonal,
            ManageOffices,
            ManageRoles,
            SetRules,
            ReadAudit,
            AdvanceClock,
            Upload,
            ManageCouncils,
            ManageFunds,
            ManageProjects,
            FileProjects,
            ManageOrganisations,
            ManagePurchases,
        ],
    ),
];

/// The roles that carry `perm`: who may be handed work that needs it.
pub fn roles_with(perm: Permission) -> Vec<&'static str> {
    ROLES
        .iter()
        .filter(|(_, perms)| perms.contains(&perm))
        .map(|(role, _)| *role)
        .collect()
}

pub fn role_permissions(role: &str) -> Option<&'static [Permission]> {
    ROLES.iter().find(|(r, _)| *r == role).map(|(_, p)| *p)
}

/// How a command reached Gongzhi: recorded with every event.
pub const CHANNELS: &[&str] = &[
    "online",
    "paper",
    "yard_meeting",
    "phone",
    "home_visit",
    "system",
];

/// Who is acting: an account with its grants, possibly on behalf of a resident.
#[derive(Debug, Clone)]
pub struct Actor {
    pub account_id: Option<Uuid>,
    pub grants: Vec<(String, Uuid)>,
    /// The resident a staff member is acting for, with their consent recorded.
    pub on_behalf_of: Option<Uuid>,
    pub channel: &'static str,
}

impl Actor {
    /// Gongzhi itself (set-up, demo seeding, scheduled anchoring).
    pub fn system() -> Self {
        Actor {
            account_id: None,
            grants: vec![],
            on_behalf_of: None,
            channel: "system",
        }
    }

    /// The visitor who is not signed in.
    pub fn anonymous() -> Self {
        Actor {
            account_id: None,
            grants: vec![],
            on_behalf_of: None,
            channel: "online",
        }
    }

    pub async fn load(tx: &mut Tx, account_id: Uuid) -> Result<Self, AppError> {
        let grants = repo::active_grants(tx, account_id).await?;
        Ok(Actor {
            account_id: Some(account_id),
            grants: grants
                .into_iter()
                .map(|g| (g.role, g.jurisdiction_id))
                .collect(),
            on_behalf_of: None,
            channel: "online",
        })
    }

    pub fn is_system(&self) -> bool {
        self.channel == "system" && self.account_id.is_none()
    }

    /// Whether the actor holds `perm` on `jurisdiction` (through a grant on it or an ancestor).
    pub async fn can(
        &self,
        tx: &mut Tx,
        perm: Permission,
        jurisdiction: Uuid,
    ) -> Result<bool, AppError> {
        if self.is_system() {
            return Ok(true);
        }
        let holding: Vec<Uuid> = self
            .grants
            .iter()
            .filter(|(role, _)| role_permissions(role).is_some_and(|p| p.contains(&perm)))
            .map(|(_, j)| *j)
            .collect();
        if holding.is_empty() {
            return Ok(false);
        }
        let chain = repo::ancestors(tx, jurisdiction).await?;
        Ok(chain.iter().any(|j| holding.contains(&j.id)))
    }

    /// The places where the actor was granted `perm` (each covers the places below it), for
    /// forms that ask "on behalf of which place".
    pub fn granted_places(&self, perm: Permission) -> Vec<Uuid> {
        let mut out: Vec<Uuid> = self
            .grants
            .iter()
            .filter(|(role, _)| role_permissions(role).is_some_and(|p| p.contains(&perm)))
            .map(|(_, j)| *j)
            .collect();
        out.dedup();
        out
    }

    /// Whether a signed-in actor holds `perm` on `jurisdiction`, for pages deciding which staff
    /// forms to show (the commands check again). Visitors who are not signed in need no database;
    /// a failed read shows no form.
    pub async fn may(&self, app: &crate::App, perm: Permission, jurisdiction: Uuid) -> bool {
        if self.account_id.is_none() {
            return false;
        }
        let Ok(mut tx) = app.db.read().await else {
            return false;
        };
        let ok = self.can(&mut tx, perm, jurisdiction).await.unwrap_or(false);
        let _ = tx.rollback().await;
        ok
    }

    /// `perm` on `community` itself or above it, or on a place inside it: a resident granted her
    /// courtyard uploads the photo of her need to her community's files.
    pub async fn require_in_community(
        &self,
        tx: &mut Tx,
        perm: Permission,
        community: Uuid,
    ) -> Result<(), AppError> {
        if self.can(tx, perm, community).await? {
            return Ok(());
        }
        if self.account_id.is_none() {
            return Err(AppError::Unauthenticated);
        }
        for place in self.granted_places(perm) {
            if repo::ancestors(tx, place)
                .await?
                .iter()
                .any(|j| j.id == community)
            {
                return Ok(());
            }
        }
        Err(AppError::Forbidden)
    }

    /// [`Actor::require`] in a read snapshot of its own, for checks that must come before the
    /// command reads its input (an upload is authorised before it is unpacked).
    pub async fn authorize(
        &self,
        app: &crate::App,
        perm: Permission,
        jurisdiction: Uuid,
    ) -> Result<(), AppError> {
        if self.account_id.is_none() && !self.is_system() {
            return Err(AppError::Unauthenticated);
        }
        let mut read = app.db.read().await?;
        let outcome = self.require(&mut read, perm, jurisdiction).await;
        read.rollback().await?;
        outcome
    }

    pub async fn require(
        &self,
        tx: &mut Tx,
        perm: Permission,
        jurisdiction: Uuid,
    ) -> Result<(), AppError> {
        let chain = repo::ancestors(tx, jurisdiction).await?;
        self.require_in(&chain, perm)
    }

    /// The same check on a jurisdiction's chain (itself, then its ancestors) already read, for
    /// callers that need the chain for other things too (the rulebook).
    pub fn require_in(
        &self,
        chain: &[repo::JurisdictionRow],
        perm: Permission,
    ) -> Result<(), AppError> {
        if self.is_system() {
            return Ok(());
        }
        if self.account_id.is_none() {
            return Err(AppError::Unauthenticated);
        }
        let held = self.grants.iter().any(|(role, j)| {
            role_permissions(role).is_some_and(|p| p.contains(&perm))
                && chain.iter().any(|c| c.id == *j)
        });
        if held {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The levels of the places in `chain` (a place, then its ancestors) where the actor was
    /// granted `perm`: how high up the body acting is (the street's staff, a district official).
    /// Gongzhi itself acts from the top.
    pub fn levels_holding(
        &self,
        chain: &[repo::JurisdictionRow],
        perm: Permission,
    ) -> Vec<gongzhi_domain::place::Level> {
        if self.is_system() {
            return vec![gongzhi_domain::place::Level::City];
        }
        chain
            .iter()
            .filter(|c| {
                self.grants.iter().any(|(role, j)| {
                    *j == c.id && role_permissions(role).is_some_and(|p| p.contains(&perm))
                })
            })
            .filter_map(|c| gongzhi_domain::place::Level::parse(&c.level).ok())
            .collect()
    }

    /// Whether the actor holds `role` exactly somewhere.
    pub fn has_role(&self, role: &str) -> bool {
        self.grants.iter().any(|(r, _)| r == role)
    }
}
