//! Integration tests of the pure domain: participatory-budgeting rules against pabutools' outcomes
//! on real elections, hand-checked small elections, and the `.pb` reader and writer.

mod allocation;
mod allocation_naive;
mod calendar;
mod elections;
mod fuzz_pb;
mod ledger;
mod pipelines;
mod procurement;
