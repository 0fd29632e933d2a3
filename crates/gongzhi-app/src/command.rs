//! The one way state changes: a `Command` opens a write transaction, the use case writes rows
//! through it (each write is read back and imaged), and `commit` appends one audit event with
//! every image to the owning jurisdiction's chain, then commits. If anything fails before commit,
//! the transaction rolls back and nothing, not even the event, is written.

use gongzhi_store::audit::{self, Head, NewEvent};
use gongzhi_store::schema::{Tenancy, table};
use gongzhi_store::{Tx, Value, repo, rows};
use serde_json::{Map, Value as Json, json};
use uuid::Uuid;

use crate::authz::Actor;
use crate::{App, AppError, new_id};

pub struct Command<'a> {
    pub tx: Tx,
    app: &'a App,
    actor: &'a Actor,
    tenant_id: Uuid,
    name: &'static str,
    writes: Vec<Json>,
    details: Map<String, Json>,
    root: Option<Uuid>,
    /// Salts read in this transaction, by owner: a command imaging many rows asks once.
    salts: std::collections::HashMap<Uuid, Vec<u8>>,
    /// Whether a table the pages' reference copies hold was written (see `reference`).
    writes_reference: bool,
}

fn fresh_salt() -> [u8; 16] {
    *Uuid::new_v4().as_bytes()
}

/// A kind of record that commands address by its id alone. The one registry of those lookups:
/// each kind names its table (whose records are found by an index led by `id`, tested) and the
/// word a refusal uses when there is no such record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    Council,
    Seat,
    Meeting,
    Motion,
    Resolution,
    Convention,
    MeetingRequest,
    Election,
    BudgetVote,
    LedgerAccount,
    Fund,
    Budget,
    Transfer,
    Expense,
    Donation,
    Statement,
    Need,
    Project,
    Round,
    Organisation,
    Plan,
    Call,
    Bid,
    Contract,
}

impl Record {
    pub const ALL: [Record; 24] = [
        Record::Council,
        Record::Seat,
        Record::Meeting,
        Record::Motion,
        Record::Resolution,
        Record::Convention,
        Record::MeetingRequest,
        Record::Election,
        Record::BudgetVote,
        Record::LedgerAccount,
        Record::Fund,
        Record::Budget,
        Record::Transfer,
        Record::Expense,
        Record::Donation,
        Record::Statement,
        Record::Need,
        Record::Project,
        Record::Round,
        Record::Organisation,
        Record::Plan,
        Record::Call,
        Record::Bid,
        Record::Contract,
    ];

    /// Its table in the schema registry.
    pub const fn table(self) -> &'static str {
        match self {
            Record::Council => "councils",
            Record::Seat => "council_seats",
            Record::Meeting => "meetings",
            Record::Motion => "motions",
            Record::Resolution => "resolutions",
            Record::Convention => "conventions",
            Record::MeetingRequest => "meeting_requests",
            Record::Election => "elections",
            Record::BudgetVote => "budget_votes",
            Record::LedgerAccount => "ledger_accounts",
            Record::Fund => "funds",
            Record::Budget => "budgets",
            Record::Transfer => "ledger_transfers",
            Record::Expense => "expenses",
            Record::Donation => "donations",
            Record::Statement => "statements",
            Record::Need => "needs",
            Record::Project => "projects",
            Record::Round => "allocation_rounds",
            Record::Organisation => "organisations",
            Record::Plan => "purchase_plans",
            Record::Call => "purchase_calls",
            Record::Bid => "call_bids",
            Record::Contract => "contracts",
        }
    }

    /// What a refusal calls a missing one (`not_found` names it).
    pub const fn noun(self) -> &'static str {
        match self {
            Record::Council => "council",
            Record::Seat => "seat",
            Record::Meeting => "meeting",
            Record::Motion => "motion",
            Record::Resolution => "resolution",
            Record::Convention => "convention",
            Record::MeetingRequest => "meeting request",
            Record::Election => "election",
            Record::BudgetVote => "budget vote",
            Record::LedgerAccount => "ledger account",
            Record::Fund => "fund",
            Record::Budget => "budget",
            Record::Transfer => "transfer",
            Record::Expense => "expense",
            Record::Donation => "donation",
            Record::Statement => "statement",
            Record::Need => "need",
            Record::Project => "project",
            Record::Round => "round",
            Record::Organisation => "organisation",
            Record::Plan => "plan",
            Record::Call => "call",
            Record::Bid => "bid",
            Record::Contract => "contract",
        }
    }

    /// The community (tenant) that owns the record `id`, or `NotFound` naming the kind.
    pub async fn tenant(self, tx: &mut Tx, id: Uuid) -> Result<Uuid, AppError> {
        rows::tenant_of(tx, self.table(), id)
            .await?
            .ok_or(AppError::NotFound(self.noun()))
    }
}

/// What a command acts on, as its caller addressed it; the command's chain (and lock) is the
/// community that owns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A record addressed by id alone.
    Record(Record, Uuid),
    /// A place: its own chain from community upwards, else its community's.
    Place(Uuid),
    /// The city above a place: the chain of city-wide records (organisations).
    CityOf(Uuid),
    /// A chain already known (a sweep over one community, a command on the city).
    Tenant(Uuid),
}

impl Target {
    async fn tenant(self, tx: &mut Tx) -> Result<Uuid, AppError> {
        match self {
            Target::Record(kind, id) => kind.tenant(tx, id).await,
            Target::Place(place) => tenant_of(tx, place).await,
            Target::CityOf(place) => crate::procurement::city_of(tx, place).await,
            Target::Tenant(t) => Ok(t),
        }
    }
}

impl<'a> Command<'a> {
    /// Opens a command on `target`: its write transaction finds the community that owns the
    /// target (a fact that never changes), takes that community's chain-head lock, and only then
    /// does the caller read what it decides on, through `cmd.tx`. Every read after this call
    /// sees the commands of the community committed before it, and none can commit in between:
    /// two people acting at once get one outcome, decided on current facts.
    pub async fn on(
        app: &'a App,
        actor: &'a Actor,
        target: Target,
        name: &'static str,
    ) -> Result<Self, AppError> {
        let mut tx = app.db.begin().await?;
        let tenant_id = target.tenant(&mut tx).await?;
        gongzhi_store::audit::lock_head(&mut tx, tenant_id, app.now().micros()).await?;
        Ok(Command {
            tx,
            app,
            actor,
            tenant_id,
            name,
            writes: Vec::new(),
            details: Map::new(),
            root: None,
            salts: std::collections::HashMap::new(),
            writes_reference: false,
        })
    }

    /// Opens a command whose event goes to `tenant_id`'s chain.
    pub async fn begin(
        app: &'a App,
        actor: &'a Actor,
        tenant_id: Uuid,
        name: &'static str,
    ) -> Result<Self, AppError> {
        Self::on(app, actor, Target::Tenant(tenant_id), name).await
    }

    pub fn tenant_id(&self) -> Uuid {
        self.tenant_id
    }

    /// Who is acting.
    pub fn actor(&self) -> &Actor {
        self.actor
    }

    pub(crate) fn app(&self) -> &App {
        self.app
    }

    /// The application clock's time (commands stamp rows with it).
    pub fn now(&self) -> gongzhi_domain::time::Instant {
        self.app.now()
    }

    /// Adds a non-personal detail to the event (a reason, a count, an id).
    pub fn detail(&mut self, key: &str, value: impl Into<Json>) {
        self.details.insert(key.to_string(), value.into());
    }

    async fn root_id(&mut self) -> Result<Uuid, AppError> {
        if let Some(r) = self.root {
            return Ok(r);
        }
        let root = repo::root_jurisdiction(&mut self.tx)
            .await?
            .map(|j| j.id)
            .unwrap_or(self.tenant_id);
        self.root = Some(root);
        Ok(root)
    }

    /// The salt a row's personal fields are hashed with: its tenant's, or the city's for
    /// reference tables.
    async fn salt_for(
        &mut self,
        table_name: &str,
        values: &gongzhi_store::Row,
    ) -> Result<Vec<u8>, AppError> {
        let t = table(table_name).ok_or(AppError::NotFound("table"))?;
        let owner = match t.tenancy {
            Tenancy::Tenant => values.id(0)?,
            Tenancy::Reference => self.root_id().await?,
        };
        if let Some(s) = self.salts.get(&owner) {
            return Ok(s.clone());
        }
        let salt = audit::salt(&mut self.tx, owner, fresh_salt()).await?;
        self.salts.insert(owner, salt.clone());
        Ok(salt)
    }

    /// Inserts a row and records its image (made from the row as the database returned it).
    pub async fn insert(
        &mut self,
        table_name: &'static str,
        values: &[(&str, Value)],
    ) -> Result<(), AppError> {
        let stored = rows::insert_returning(&mut self.tx, table_name, values).await?;
        self.image_rows(table_name, std::slice::from_ref(&stored))
            .await
    }

    /// Inserts a secret ballot with no image (see `Kind::Sealed`): this command's event records
    /// that somebody voted, never what. The command that opens the box images its ballots.
    pub async fn insert_sealed(
        &mut self,
        table_name: &'static str,
        values: &[(&str, Value)],
    ) -> Result<(), AppError> {
        let t = table(table_name).ok_or(AppError::NotFound("table"))?;
        if t.kind != gongzhi_store::schema::Kind::Sealed {
            return Err(AppError::NotFound("sealed table"));
        }
        rows::insert(&mut self.tx, table_name, values).await?;
        Ok(())
    }

    /// Inserts many rows in multi-row statements and records their images, made from the rows as
    /// the database returned them (bulk commands: a batch of transfers, an import).
    pub async fn insert_many(
        &mut self,
        table_name: &'static str,
        columns: &[&str],
        rows: &[Vec<Value>],
    ) -> Result<(), AppError> {
        let stored = rows::insert_many(&mut self.tx, table_name, columns, rows).await?;
        if stored.len() != rows.len() {
            return Err(AppError::NotFound("row"));
        }
        self.image_rows(table_name, &stored).await
    }

    /// Sets columns of many rows keyed by (`tenant_id`, `id`) in bulk statements and records their
    /// new images (the rows as the database returned them).
    pub async fn update_many(
        &mut self,
        table_name: &'static str,
        columns: &[&str],
        rows: &[(Uuid, Vec<Value>)],
    ) -> Result<(), AppError> {
        let stored =
            rows::update_many(&mut self.tx, table_name, self.tenant_id, columns, rows).await?;
        if stored.len() != rows.len() {
            return Err(AppError::NotFound("row"));
        }
        self.image_rows(table_name, &stored).await
    }

    async fn image_rows(
        &mut self,
        table_name: &'static str,
        stored: &[gongzhi_store::Row],
    ) -> Result<(), AppError> {
        let t = table(table_name).ok_or(AppError::NotFound("table"))?;
        self.writes_reference |= crate::reference::COPIED_TABLES.contains(&table_name);
        for row in stored {
            let salt = self.salt_for(table_name, row).await?;
            let key: Vec<Json> = t
                .pk_positions()
                .iter()
                .map(|p| row.0[*p].to_json())
                .collect();
            self.writes
                .push(json!({"t": table_name, "k": key, "r": rows::image(t, row, &salt)}));
        }
        Ok(())
    }

    /// Updates a row by primary key and records its new image (the row as the database
    /// returned it).
    pub async fn update(
        &mut self,
        table_name: &'static str,
        pk: &[Value],
        sets: &[(&str, Value)],
    ) -> Result<(), AppError> {
        let stored = rows::update_returning(&mut self.tx, table_name, pk, sets)
            .await?
            .ok_or(AppError::NotFound("row"))?;
        self.image_rows(table_name, std::slice::from_ref(&stored))
            .await
    }

    /// Updates the row with primary key `key` (column, value pairs in key order), or inserts it
    /// with `values` when there is none; either way its image is recorded.
    pub async fn upsert(
        &mut self,
        table_name: &'static str,
        key: &[(&str, Value)],
        values: &[(&str, Value)],
    ) -> Result<(), AppError> {
        let pk: Vec<Value> = key.iter().map(|(_, v)| v.clone()).collect();
        if let Some(stored) = rows::update_returning(&mut self.tx, table_name, &pk, values).await? {
            return self
                .image_rows(table_name, std::slice::from_ref(&stored))
                .await;
        }
        let row: Vec<(&str, Value)> = key
            .iter()
            .chain(values)
            .map(|(c, v)| (*c, v.clone()))
            .collect();
        self.insert(table_name, &row).await
    }

    /// Appends the event and commits. Returns the new chain head.
    pub async fn commit(mut self) -> Result<Head, AppError> {
        let now = self.app.now();
        let mut payload = Map::new();
        payload.insert(
            "writes".into(),
            Json::Array(std::mem::take(&mut self.writes)),
        );
        if !self.details.is_empty() {
            payload.insert(
                "details".into(),
                Json::Object(std::mem::take(&mut self.details)),
            );
        }
        let payload = Json::Object(payload).to_string();
        let head = audit::append(
            &mut self.tx,
            &NewEvent {
                tenant_id: self.tenant_id,
                event_id: new_id(),
                occurred_at: now.micros(),
                actor_id: self.actor.account_id,
                on_behalf_of: self.actor.on_behalf_of,
                channel: self.actor.channel,
                command: self.name,
                payload: &payload,
            },
        )
        .await?;
        self.tx.commit().await?;
        if self.writes_reference {
            self.app.reference.changed();
        }
        Ok(head)
    }
}

/// The tenant (chain owner) of a jurisdiction: itself from community upwards, else its community.
pub async fn tenant_of(tx: &mut Tx, jurisdiction: Uuid) -> Result<Uuid, AppError> {
    let chain = repo::ancestors(tx, jurisdiction).await?;
    chain
        .iter()
        .find(|j| gongzhi_domain::place::Level::parse(&j.level).is_ok_and(|l| l.is_tenant()))
        .map(|j| j.id)
        .ok_or(AppError::NotFound("jurisdiction"))
}

#[cfg(test)]
mod tests {
    use super::Record;
    use gongzhi_store::schema::{Tenancy, table};

    /// Every kind of record a command is opened on is a tenant table found by its id through an
    /// index, and names itself for a refusal.
    #[test]
    fn every_record_kind_is_found_by_its_id_through_an_index() {
        for kind in Record::ALL {
            let t = table(kind.table()).unwrap_or_else(|| panic!("{kind:?}: no table"));
            assert_eq!(t.tenancy, Tenancy::Tenant, "{kind:?}");
            assert!(t.indexed_by_id(), "{kind:?}: {} has no index on id", t.name);
            assert!(!kind.noun().is_empty());
        }
        let mut tables: Vec<_> = Record::ALL.iter().map(|k| k.table()).collect();
        tables.sort_unstable();
        tables.dedup();
        assert_eq!(tables.len(), Record::ALL.len(), "one kind per table");
    }
}
