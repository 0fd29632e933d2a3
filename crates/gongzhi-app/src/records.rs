//! The stored records the app hands to the web layer as they were read: a council, an objection,
//! a need, a transfer, a call on the board. The web layer names them from here, so it has no
//! dependency on the store and cannot run a query of its own; everything it shows comes through
//! the app's functions, which decide who may see what.
//!
//! None of them holds a secret: the account row with its password hash stays in the app (pages
//! get [`crate::accounts::SignedIn`]). Records that carry residents' own words are shown through
//! the views that mask them. Replacing these records with view types of the app's own is work in
//! progress (see ARCHITECTURE.md, "The app–web boundary").

pub use gongzhi_store::councils::{CouncilRow, ObjectionRow};
pub use gongzhi_store::ledger::TransferRow;
pub use gongzhi_store::procurement::{CallSummary, ItemRow, OrgRow};
pub use gongzhi_store::projects::{NeedFilter, NeedRow, ProjectRow};
pub use gongzhi_store::repo::{JurisdictionRow, ResidentRow};
