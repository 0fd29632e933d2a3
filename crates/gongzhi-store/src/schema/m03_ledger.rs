//! Migration 3: the community fund's ledger.

use super::*;

/// A ledger table: tenant-owned, audited, added by migration 3, addressed by id where `id_index`
/// is given.
pub(super) const fn ledger_table(
    name: &'static str,
    columns: &'static [Column],
    primary_key: &'static [&'static str],
    uniques: &'static [Unique],
    foreign_keys: &'static [ForeignKey],
    indexes: &'static [Index],
) -> Table {
    Table {
        indexes,
        since: 3,
        ..tenant_table(name, columns, primary_key, uniques, foreign_keys)
    }
}

pub(super) const TENANT_ID: [&str; 2] = ["tenant_id", "id"];

pub(super) const LEDGER_TABLES: [Table; LEDGER_COUNT] = [
    ledger_table(
        "ledger_accounts",
        &[
            col("tenant_id", Id).since(3),
            col("id", Id).since(3),
            col("kind", Text).since(3),
            col("code", Text).since(3),
            col("name_zh", Text).since(3),
            col("name_en", Text).since(3),
            col("debits_pending", Int).since(3),
            col("debits_posted", Int).since(3),
            col("credits_pending", Int).since(3),
            col("credits_posted", Int).since(3),
            col("created_at", Int).since(3),
        ],
        &TENANT_ID,
        &[Unique {
            name: "uq_ledger_accounts_code",
            columns: &["tenant_id", "code"],
        }],
        &[],
        &[Index {
            name: "ix_ledger_accounts_id",
            columns: &["id"],
        }],
    ),
    ledger_table(
        "funds",
        &[
            col("tenant_id", Id).since(3),
            col("id", Id).since(3),
            col("jurisdiction_id", Id).since(3),
            col("programme", Text).since(3),
            col("year", Int).since(3),
            col("name_zh", Text).since(3),
            col("name_en", Text).since(3),
            col("account_id", Id).since(3),
            opt("custodian", Text).since(3),
            col("created_at", Int).since(3),
            // The custodian organisation in the city's directory (migration 11): only its
            // people, holding the custodian's office, move the fund's money.
            Column {
                since: 11,
                ..opt("custodian_org_id", Id)
            },
        ],
        &TENANT_ID,
        &[Unique {
            name: "uq_funds_account",
            columns: &["tenant_id", "account_id"],
        }],
        &[
            fk(
                "fk_funds_jurisdiction",
                &["jurisdiction_id"],
                "jurisdictions",
                &["id"],
            ),
            fk(
                "fk_funds_account",
                &["tenant_id", "account_id"],
                "ledger_accounts",
                &["tenant_id", "id"],
            ),
        ],
        &[Index {
            name: "ix_funds_id",
            columns: &["id"],
        }],
    ),
    ledger_table(
        "budgets",
        &[
            col("tenant_id", Id).since(3),
            col("id", Id).since(3),
            col("jurisdiction_id", Id).since(3),
            col("resolution_id", Id).since(3),
            col("fund_id", Id).since(3),
            col("account_id", Id).since(3),
            col("title", Text).since(3),
            col("reserved", Int).since(3),
            col("cofunding_expected", Int).since(3),
            col("status", Text).since(3),
            col("created_at", Int).since(3),
            opt("closed_at", Int).since(3),
            opt("released", Int).since(3),
            // Why a second budget was reserved on a resolution that had one (migration 11).
            Column {
                since: 11,
                ..opt("reason", Text)
            },
        ],
        &TENANT_ID,
        &[Unique {
            name: "uq_budgets_account",
            columns: &["tenant_id", "account_id"],
        }],
        &[
            fk(
                "fk_budgets_resolution",
                &["tenant_id", "resolution_id"],
                "resolutions",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_budgets_fund",
                &["tenant_id", "fund_id"],
                "funds",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_budgets_account",
                &["tenant_id", "account_id"],
                "ledger_accounts",
                &["tenant_id", "id"],
            ),
        ],
        &[Index {
            name: "ix_budgets_id",
            columns: &["id"],
        }],
    ),
    ledger_table(
        "ledger_transfers",
        &[
            col("tenant_id", Id).since(3),
            col("id", Id).since(3),
            col("seq", Int).since(3),
            col("debit_id", Id).since(3),
            col("credit_id", Id).since(3),
            col("amount", Int).since(3),
            col("phase", Text).since(3),
            opt("pending_id", Id).since(3),
            col("code", Text).since(3),
            col("memo", Text).since(3),
            opt("budget_id", Id).since(3),
            opt("expense_id", Id).since(3),
            opt("resolution_id", Id).since(3),
            opt("reverses_id", Id).since(3),
            col("created_at", Int).since(3),
            opt("created_by", Id).since(3),
            // The household a co-funding payment came from (its receipt names the household).
            opt("household_id", Id).since(3),
        ],
        &TENANT_ID,
        &[
            Unique {
                name: "uq_ledger_transfers_seq",
                columns: &["tenant_id", "seq"],
            },
            // A pending transfer is settled (posted or voided) exactly once.
            Unique {
                name: "uq_ledger_transfers_pending",
                columns: &["tenant_id", "pending_id"],
            },
            Unique {
                name: "uq_ledger_transfers_reverses",
                columns: &["tenant_id", "reverses_id"],
            },
        ],
        &[
            fk(
                "fk_ledger_transfers_debit",
                &["tenant_id", "debit_id"],
                "ledger_accounts",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_ledger_transfers_credit",
                &["tenant_id", "credit_id"],
                "ledger_accounts",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_ledger_transfers_budget",
                &["tenant_id", "budget_id"],
                "budgets",
                &["tenant_id", "id"],
            ),
        ],
        &[
            Index {
                name: "ix_ledger_transfers_id",
                columns: &["id"],
            },
            Index {
                name: "ix_ledger_transfers_budget",
                columns: &["tenant_id", "budget_id"],
            },
            Index {
                name: "ix_ledger_transfers_debit",
                columns: &["tenant_id", "debit_id"],
            },
            Index {
                name: "ix_ledger_transfers_credit",
                columns: &["tenant_id", "credit_id"],
            },
        ],
    ),
    ledger_table(
        "cofunding_pledges",
        &[
            col("tenant_id", Id).since(3),
            col("budget_id", Id).since(3),
            col("household_id", Id).since(3),
            col("expected", Int).since(3),
            col("paid", Int).since(3),
        ],
        &["tenant_id", "budget_id", "household_id"],
        &[],
        &[
            fk(
                "fk_cofunding_pledges_budget",
                &["tenant_id", "budget_id"],
                "budgets",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_cofunding_pledges_household",
                &["tenant_id", "household_id"],
                "households",
                &["tenant_id", "id"],
            ),
        ],
        &[],
    ),
    ledger_table(
        "expenses",
        &[
            col("tenant_id", Id).since(3),
            col("id", Id).since(3),
            col("budget_id", Id).since(3),
            col("payee_id", Id).since(3),
            col("amount", Int).since(3),
            col("description", Text).since(3),
            col("document_sha256", Text).since(3),
            col("transfer_id", Id).since(3),
            col("status", Text).since(3),
            col("chain_json", Text).since(3),
            opt("submitted_by", Id).since(3),
            col("submitted_at", Int).since(3),
            col("expires_at", Int).since(3),
            opt("settled_amount", Int).since(3),
            opt("closed_at", Int).since(3),
            opt("reason", Text).since(3),
            // Who signs each step, pinned when the expense was submitted (migration 11): a
            // change of office holders reaches it only by an explicit, recorded re-assignment.
            Column {
                since: 11,
                ..opt("signers_json", Text)
            },
        ],
        &TENANT_ID,
        &[],
        &[
            fk(
                "fk_expenses_budget",
                &["tenant_id", "budget_id"],
                "budgets",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_expenses_payee",
                &["tenant_id", "payee_id"],
                "ledger_accounts",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_expenses_document",
                &["tenant_id", "document_sha256"],
                "uploads",
                &["tenant_id", "sha256"],
            ),
        ],
        &[Index {
            name: "ix_expenses_id",
            columns: &["id"],
        }],
    ),
    ledger_table(
        "expense_signatures",
        &[
            col("tenant_id", Id).since(3),
            col("expense_id", Id).since(3),
            col("step", Int).since(3),
            col("account_id", Id).since(3),
            col("decision", Text).since(3),
            opt("reason", Text).since(3),
            col("signed_at", Int).since(3),
        ],
        &["tenant_id", "expense_id", "step", "account_id"],
        &[],
        &[
            fk(
                "fk_expense_signatures_expense",
                &["tenant_id", "expense_id"],
                "expenses",
                &["tenant_id", "id"],
            ),
            fk(
                "fk_expense_signatures_account",
                &["account_id"],
                "accounts",
                &["id"],
            ),
        ],
        &[],
    ),
    ledger_table(
        "donations",
        &[
            col("tenant_id", Id).since(3),
            col("id", Id).since(3),
            col("fund_id", Id).since(3),
            Column {
                since: 3,
                ..personal("donor_name", Text, false)
            },
            col("amount", Int).since(3),
            col("transfer_id", Id).since(3),
            col("received_at", Int).since(3),
        ],
        &TENANT_ID,
        &[],
        &[fk(
            "fk_donations_fund",
            &["tenant_id", "fund_id"],
            "funds",
            &["tenant_id", "id"],
        )],
        &[Index {
            name: "ix_donations_id",
            columns: &["id"],
        }],
    ),
    ledger_table(
        "statements",
        &[
            col("tenant_id", Id).since(3),
            col("id", Id).since(3),
            col("fund_id", Id).since(3),
            col("period_start", Text).since(3),
            col("period_end", Text).since(3),
            col("reason", Text).since(3),
            col("body_json", Text).since(3),
            col("posted_at", Int).since(3),
            opt("posted_by", Id).since(3),
        ],
        &TENANT_ID,
        &[Unique {
            name: "uq_statements_period",
            columns: &[
                "tenant_id",
                "fund_id",
                "period_start",
                "period_end",
                "reason",
            ],
        }],
        &[fk(
            "fk_statements_fund",
            &["tenant_id", "fund_id"],
            "funds",
            &["tenant_id", "id"],
        )],
        &[Index {
            name: "ix_statements_id",
            columns: &["id"],
        }],
    ),
];
