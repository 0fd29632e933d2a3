//! The only crate that knows SQL. One schema (the registry in `schema`) and one query set,
//! dispatched to SQLite or PostgreSQL by `Db`. No business rules live here.

/// Appending to and reading the audit chains; per-tenant salts.
pub mod audit;
/// Reads for resident-wide budget votes: the vote, its projects, its roll and marks.
pub mod budget_votes;
/// Bulk reads of the audit log (the verifier's full scan).
pub mod bulk;
/// Reads for councils, meetings, votes, resolutions and objections.
pub mod councils;
/// `Db` and `Tx`: the two backends behind one interface.
pub mod db;
/// Logical export and import (JSON Lines).
pub mod dump;
/// Reads for elections, electorates, sealed ballot boxes and meeting calendars.
pub mod elections;
mod error;
/// Reads for the fund ledger.
pub mod ledger;
/// Migrations rendered from the registry, and schema introspection.
pub mod migrate;
/// Follows, the inbox and the outbox of notifications.
pub mod notifications;
/// Reads for government purchase of services: suppliers, plans, calls, bids, contracts.
pub mod procurement;
/// Reads for the needs ledger and projects.
pub mod projects;
/// Named read queries and the operational tables.
pub mod repo;
/// Generic row access and audit images, driven by the registry.
pub mod rows;
/// The schema as data.
pub mod schema;
/// Search of a community's public record.
pub mod search;
/// Fresh databases for tests on either backend.
pub mod testing;
mod value;

pub use db::{Backend, Db, Open, Tx};
pub use error::StoreError;
pub use value::{Row, Value};
