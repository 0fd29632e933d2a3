//! Pure types and rules of Gongzhi. Nothing here does IO, knows SQL or HTTP, or reads the clock:
//! time and ids are passed in. Everything here can be tested without a database.

/// Participatory budgeting: Pabulib files and the greedy, equal-shares and Phragmén rules.
pub mod allocation;
/// Tamper-evident audit chain: the canonical encoding of an event and its hash.
pub mod audit;
/// Resident-wide budget votes: ballot forms and the count by the PB engine.
pub mod budget_vote;
/// Conventions: versioned texts and the line diff between versions.
pub mod convention;
/// Councils: quorum, tallies, resolution numbers, notice windows and their effect.
pub mod council;
/// Elections of council members by secret ballot, and monthly meeting calendars.
pub mod election;
/// Stable error codes with their field, shared by every layer and translated at the edge.
pub mod error;
/// The ledger as Beancount and hledger journals.
pub mod journal;
/// The fund ledger: accounts, two-phase transfers, sign-off chains, disclosure periods, and the
/// Beancount and hledger journals.
pub mod ledger;
/// Where each record stands in its life (statuses) and the kinds whose rules differ.
pub mod lifecycle;
/// Uploaded files: type sniffing and removal of location metadata from photos.
pub mod media;
/// Money in integer fen (分).
pub mod money;
/// Notifications: follows, message kinds, channels and the retry schedule.
pub mod notification;
/// Offices that sign money: who records them, how far back a term may start.
pub mod office;
/// Personal data: phone numbers, ID-card numbers, names and how they are masked or hashed.
pub mod person;
/// Jurisdiction levels (city → courtyard) and what may sit under what.
pub mod place;
/// Government purchase of services: suppliers, the catalogue, calls, scoring, contract terms and
/// payment by evaluation, the social organisations' share.
pub mod procurement;
/// Needs and projects: statuses, funding split, screening, the pipeline as data, allocation.
pub mod project;
/// Rules as data: typed rule values, their defaults from the seeds, and resolution by jurisdiction and date.
pub mod rulebook;
/// Vote thresholds as exact fractions of a base.
pub mod threshold;
/// Instants (µs since the Unix epoch, UTC) and calendar dates in China Standard Time.
pub mod time;
/// Closed vocabularies stored as text: the `vocabulary!` macro and its trait.
pub mod vocabulary;

pub use error::{DomainError, ErrorCode};
pub use money::Fen;
