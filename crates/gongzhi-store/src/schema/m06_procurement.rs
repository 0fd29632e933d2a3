//! Migrations 6 and 7: government purchase of services, and venture-philanthropy rounds on the
//! same calls.

use super::*;

/// A procurement table: tenant-owned, audited, added by migration 6.
pub(super) const fn purchase_table(
    name: &'static str,
    columns: &'static [Column],
    primary_key: &'static [&'static str],
    uniques: &'static [Unique],
    foreign_keys: &'static [ForeignKey],
    indexes: &'static [Index],
) -> Table {
    Table {
        since: 6,
        ..ledger_table(name, columns, primary_key, uniques, foreign_keys, indexes)
    }
}

/// Suppliers and their records live in the city's tenant (one directory for the whole city, so a
/// credit code is unique and a blacklisting bars everywhere); calls, bids, contracts and
/// evaluations live in the buyer's tenant and name a supplier by id (a cross-tenant reference,
/// without a foreign key, like an account id).
pub(super) const PURCHASE_TABLES: [Table; PURCHASE_COUNT] = [
    purchase_table(
        "organisations",
        &[
            col("tenant_id", Id).since(6),
            col("id", Id).since(6),
            col("name_zh", Text).since(6),
            col("name_en", Text).since(6),
            col("kind", Text).since(6),
            opt("credit_code", Text).since(6),
            col("registered_with", Id).since(6),
            opt("registered_on", Text).since(6),
            col("business_scope", Text).since(6),
            col("capacity", Text).since(6),
            opt("incubator_id", Id).since(6),
            opt("incubator_level", Text).since(6),
            col("created_at", Int).since(6),
            opt("created_by", Id).since(6),
        ],
        &TENANT_ID,
        &[Unique {
            name: "uq_organisations_credit_code",
            columns: &["tenant_id", "credit_code"],
        }],
        &[],
        &[ix("ix_organisations_id", &["id"])],
    ),
    purchase_table(
        "organisation_qualifications",
        &[
            col("tenant_id", Id).since(6),
            col("organisation_id", Id).since(6),
            col("catalogue_code", Text).since(6),
            col("granted_at", Int).since(6),
        ],
        &["tenant_id", "organisation_id", "catalogue_code"],
        &[],
        &[fk(
            "fk_organisation_qualifications_org",
            &["tenant_id", "organisation_id"],
            "organisations",
            &["tenant_id", "id"],
        )],
        &[],
    ),
    purchase_table(
        "organisation_staff",
        &[
            col("tenant_id", Id).since(6),
            col("organisation_id", Id).since(6),
            col("account_id", Id).since(6),
            col("role", Text).since(6),
            col("since", Int).since(6),
        ],
        &["tenant_id", "organisation_id", "account_id"],
        &[],
        &[fk(
            "fk_organisation_staff_org",
            &["tenant_id", "organisation_id"],
            "organisations",
            &["tenant_id", "id"],
        )],
        &[ix("ix_organisation_staff_account", &["account_id"])],
    ),
    // The blacklist (黑名单): a sanction bars its organisation from calls from `starts_on` to
    // `ends_on` (open-ended when empty), unless lifted.
    purchase_table(
        "organisation_sanctions",
        &[
            col("tenant_id", Id).since(6),
            col("id", Id).since(6),
            col("organisation_id", Id).since(6),
            col("reason", Text).since(6),
            col("starts_on", Text).since(6),
            opt("ends_on", Text).since(6),
            col("decided_by", Id).since(6),
            col("created_at", Int).since(6),
            opt("lifted_at", Int).since(6),
            opt("lift_reason", Text).since(6),
        ],
        &TENANT_ID,
        &[],
        &[fk(
            "fk_organisation_sanctions_org",
            &["tenant_id", "organisation_id"],
            "organisations",
            &["tenant_id", "id"],
        )],
        &[ix(
            "ix_organisation_sanctions_org",
            &["tenant_id", "organisation_id"],
        )],
    ),
    purchase_table(
        "purchase_plans",
        &[
            col("tenant_id", Id).since(6),
            col("id", Id).since(6),
            col("buyer_id", Id).since(6),
            col("year", Int).since(6),
            col("title", Text).since(6),
            col("lines_json", Text).since(6),
            col("created_at", Int).since(6),
        ],
        &TENANT_ID,
        &[Unique {
            name: "uq_purchase_plans_buyer_year",
            columns: &["tenant_id", "buyer_id", "year"],
        }],
        &[],
        &[ix("ix_purchase_plans_id", &["id"])],
    ),
    purchase_table(
        "purchase_calls",
        &[
            col("tenant_id", Id).since(6),
            col("id", Id).since(6),
            col("number", Text).since(6),
            col("buyer_id", Id).since(6),
            opt("plan_id", Id).since(6),
            col("title", Text).since(6),
            col("description", Text).since(6),
            col("catalogue_code", Text).since(6),
            col("method", Text).since(6),
            opt("justification", Text).since(6),
            col("value", Int).since(6),
            col("new_service", Bool).since(6),
            col("eligible_kinds", Text).since(6),
            col("opens_at", Int).since(6),
            col("closes_at", Int).since(6),
            col("contract_months", Int).since(6),
            col("stable", Bool).since(6),
            col("rule_json", Text).since(6),
            col("criteria_json", Text).since(6),
            col("status", Text).since(6),
            opt("budget_id", Id).since(6),
            opt("rerun_of", Id).since(6),
            col("created_at", Int).since(6),
            opt("created_by", Id).since(6),
            opt("decided_at", Int).since(6),
            opt("result_json", Text).since(6),
            // A venture-philanthropy round's themes, award count and roadshow (`GrantRound`).
            opt("round_json", Text).since(7),
        ],
        &TENANT_ID,
        &[Unique {
            name: "uq_purchase_calls_number",
            columns: &["tenant_id", "number"],
        }],
        &[],
        &[
            ix("ix_purchase_calls_id", &["id"]),
            ix("ix_purchase_calls_status", &["status", "closes_at"]),
            ix("ix_purchase_calls_decided", &["decided_at"]),
        ],
    ),
    purchase_table(
        "call_bids",
        &[
            col("tenant_id", Id).since(6),
            col("id", Id).since(6),
            col("call_id", Id).since(6),
            col("organisation_id", Id).since(6),
            col("price", Int).since(6),
            col("cofunding", Int).since(6),
            col("plan", Text).since(6),
            col("submitted_at", Int).since(6),
            opt("submitted_by", Id).since(6),
            // The round's theme an application comes under (venture rounds only).
            opt("theme", Text).since(7),
        ],
        &TENANT_ID,
        &[Unique {
            name: "uq_call_bids_org",
            columns: &["tenant_id", "call_id", "organisation_id"],
        }],
        &[fk(
            "fk_call_bids_call",
            &["tenant_id", "call_id"],
            "purchase_calls",
            &["tenant_id", "id"],
        )],
        &[ix("ix_call_bids_org", &["organisation_id"])],
    ),
    // The scoring panel: each member declares the organisations they are tied to (their employer
    // is always one); they cannot score those organisations' bids.
    purchase_table(
        "call_panelists",
        &[
            col("tenant_id", Id).since(6),
            col("call_id", Id).since(6),
            col("account_id", Id).since(6),
            col("name", Text).since(6),
            col("ties_json", Text).since(6),
        ],
        &["tenant_id", "call_id", "account_id"],
        &[],
        &[fk(
            "fk_call_panelists_call",
            &["tenant_id", "call_id"],
            "purchase_calls",
            &["tenant_id", "id"],
        )],
        &[],
    ),
    purchase_table(
        "bid_scores",
        &[
            col("tenant_id", Id).since(6),
            col("bid_id", Id).since(6),
            col("account_id", Id).since(6),
            col("call_id", Id).since(6),
            col("scores_json", Text).since(6),
            col("total", Int).since(6),
            col("scored_at", Int).since(6),
        ],
        &["tenant_id", "bid_id", "account_id"],
        &[],
        &[fk(
            "fk_bid_scores_bid",
            &["tenant_id", "bid_id"],
            "call_bids",
            &["tenant_id", "id"],
        )],
        &[ix("ix_bid_scores_call", &["tenant_id", "call_id"])],
    ),
    purchase_table(
        "contracts",
        &[
            col("tenant_id", Id).since(6),
            col("id", Id).since(6),
            col("call_id", Id).since(6),
            col("bid_id", Id).since(6),
            col("organisation_id", Id).since(6),
            col("title", Text).since(6),
            col("value", Int).since(6),
            col("starts_on", Text).since(6),
            col("ends_on", Text).since(6),
            col("stable", Bool).since(6),
            opt("budget_id", Id).since(6),
            opt("payee_id", Id).since(6),
            col("payment_rule_json", Text).since(6),
            col("status", Text).since(6),
            opt("renews_id", Id).since(6),
            col("signed_at", Int).since(6),
            opt("signed_by", Id).since(6),
        ],
        &TENANT_ID,
        &[],
        &[
            fk(
                "fk_contracts_call",
                &["tenant_id", "call_id"],
                "purchase_calls",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_contracts_bid",
                &["tenant_id", "bid_id"],
                "call_bids",
                &["tenant_id", "id"],
            ),
        ],
        &[
            ix("ix_contracts_id", &["id"]),
            ix("ix_contracts_org", &["organisation_id"]),
            ix("ix_contracts_call", &["tenant_id", "call_id"]),
        ],
    ),
    // A contract's deliverables (catalogue items or tasks) and payment milestones. A milestone
    // with `final_payment` is paid at the share its evaluation earns.
    purchase_table(
        "contract_items",
        &[
            col("tenant_id", Id).since(6),
            col("contract_id", Id).since(6),
            col("position", Int).since(6),
            col("kind", Text).since(6),
            opt("catalogue_code", Text).since(6),
            col("title", Text).since(6),
            opt("due_on", Text).since(6),
            col("amount", Int).since(6),
            col("final_payment", Bool).since(6),
            opt("done_at", Int).since(6),
            opt("expense_id", Id).since(6),
            opt("paid_amount", Int).since(6),
        ],
        &["tenant_id", "contract_id", "position"],
        &[],
        &[fk(
            "fk_contract_items_contract",
            &["tenant_id", "contract_id"],
            "contracts",
            &["tenant_id", "id"],
        )],
        &[],
    ),
    purchase_table(
        "contract_evaluations",
        &[
            col("tenant_id", Id).since(6),
            col("id", Id).since(6),
            col("contract_id", Id).since(6),
            col("organisation_id", Id).since(6),
            opt("evaluator_org_id", Id).since(6),
            col("evaluator_name", Text).since(6),
            col("score", Int).since(6),
            col("summary", Text).since(6),
            col("evaluated_at", Int).since(6),
            opt("recorded_by", Id).since(6),
        ],
        &TENANT_ID,
        &[],
        &[fk(
            "fk_contract_evaluations_contract",
            &["tenant_id", "contract_id"],
            "contracts",
            &["tenant_id", "id"],
        )],
        &[
            ix("ix_contract_evaluations_org", &["organisation_id"]),
            ix(
                "ix_contract_evaluations_contract",
                &["tenant_id", "contract_id"],
            ),
        ],
    ),
    // A donor adopts a ranked application the round's pool did not fund (the province's "+N"):
    // the donor's gift goes into the round's budget in the same command, so the grant is paid
    // through the ledger like any other.
    Table {
        since: 7,
        ..purchase_table(
            "bid_adoptions",
            &[
                col("tenant_id", Id).since(7),
                col("bid_id", Id).since(7),
                col("call_id", Id).since(7),
                Column {
                    since: 7,
                    ..personal("donor_name", Text, false)
                },
                col("amount", Int).since(7),
                opt("transfer_id", Id).since(7),
                col("adopted_at", Int).since(7),
                opt("recorded_by", Id).since(7),
            ],
            &["tenant_id", "bid_id"],
            &[],
            &[fk(
                "fk_bid_adoptions_bid",
                &["tenant_id", "bid_id"],
                "call_bids",
                &["tenant_id", "id"],
            )],
            &[ix("ix_bid_adoptions_call", &["tenant_id", "call_id"])],
        )
    },
];
