//! Funds: opening them, money received, donations, payees, refunds from payees, and bulk
//! postings from a voucher file.

use gongzhi_domain::ledger::AccountKind;
use gongzhi_domain::{DomainError, Fen};
use gongzhi_store::Tx;
use gongzhi_store::ledger::{self as repo_l, FundRow};
use uuid::Uuid;

use crate::authz::{Actor, Permission};
use crate::command::{Command, Record, Target, tenant_of};
use crate::rules::rule_in_force;
use crate::{App, AppError, new_id};

use super::*;

pub struct NewFund<'a> {
    pub community_id: Uuid,
    pub programme: &'a str,
    pub year: i64,
    pub name_zh: &'a str,
    pub name_en: &'a str,
    /// The foundation that holds the money (管用分离), an organisation of the city's directory:
    /// only its people holding the custodian's office pay from the fund.
    pub custodian: Option<Uuid>,
}

pub async fn create_fund(app: &App, actor: &Actor, new: &NewFund<'_>) -> Result<Uuid, AppError> {
    if !PROGRAMMES.contains(&new.programme) {
        return Err(invalid("fund_programme_unknown", "programme"));
    }
    if !(2000..=2200).contains(&new.year) {
        return Err(invalid("fund_year_invalid", "year"));
    }
    let name_zh = text(new.name_zh, "name_zh", 60)?;
    let name_en = if new.name_en.trim().is_empty() {
        name_zh.clone()
    } else {
        text(new.name_en, "name_en", 80)?
    };
    let mut cmd = Command::on(app, actor, Target::Place(new.community_id), "fund.create").await?;
    let read = &mut cmd.tx;
    actor
        .require(read, Permission::ManageFunds, new.community_id)
        .await?;
    if tenant_of(read, new.community_id).await? != new.community_id {
        return Err(invalid("not_a_community", "community_id"));
    }
    let custodian = match new.custodian {
        None => None,
        Some(org) => Some(
            gongzhi_store::procurement::organisation(read, org)
                .await?
                .ok_or_else(|| invalid("organisation_not_found", "custodian_organisation_id"))?,
        ),
    };
    let id = new_id();
    let code = format!(
        "F{}-{}-{}",
        new.year,
        new.programme.replace('_', "-").to_ascii_uppercase(),
        short(id)
    );
    let account = open_account(&mut cmd, AccountKind::Fund, &code, &name_zh, &name_en).await?;
    cmd.insert(
        "funds",
        &[
            ("tenant_id", new.community_id.into()),
            ("id", id.into()),
            ("jurisdiction_id", new.community_id.into()),
            ("programme", new.programme.into()),
            ("year", new.year.into()),
            ("name_zh", name_zh.into()),
            ("name_en", name_en.into()),
            ("account_id", account.into()),
            (
                "custodian",
                gongzhi_store::Value::from(custodian.as_ref().map(|o| o.name_zh.clone())),
            ),
            ("created_at", app.now().micros().into()),
            (
                "custodian_org_id",
                gongzhi_store::Value::from(custodian.map(|o| o.id)),
            ),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// A fund and its tenant, read in `tx` (a command's, on the fund), after checking the actor
/// keeps the funds where it sits.
pub(crate) async fn managed_fund(
    tx: &mut Tx,
    actor: &Actor,
    id: Uuid,
) -> Result<(Uuid, FundRow), AppError> {
    let (tenant, fund) = load_fund(tx, id).await?;
    actor
        .require(tx, Permission::ManageFunds, fund.jurisdiction_id)
        .await?;
    Ok((tenant, fund))
}

pub(super) async fn load_fund(tx: &mut Tx, id: Uuid) -> Result<(Uuid, FundRow), AppError> {
    let tenant = Record::Fund.tenant(tx, id).await?;
    let f = repo_l::fund(tx, tenant, id)
        .await?
        .ok_or(AppError::NotFound("fund"))?;
    Ok((tenant, f))
}

/// Money received into a fund from a source (an allocation, carry-over, other income).
pub struct Receipt<'a> {
    pub id: Option<Uuid>,
    pub fund_id: Uuid,
    pub source: &'a str,
    pub amount: i64,
    pub code: &'a str,
    pub memo: &'a str,
}

pub async fn receive(app: &App, actor: &Actor, r: &Receipt<'_>) -> Result<Posted, AppError> {
    amount(r.amount, "amount")?;
    let code: &'static str = ["allocation", "carry_over"]
        .into_iter()
        .find(|c| *c == r.code)
        .ok_or_else(|| invalid("ledger_code_unknown", "code"))?;
    if !SOURCES.iter().any(|(k, _, _)| *k == r.source) || r.source == "donors" {
        return Err(invalid("ledger_source_unknown", "source"));
    }
    let memo = text(r.memo, "memo", 200)?;
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Fund, r.fund_id),
        "fund.receive",
    )
    .await?;
    let (tenant, fund) = managed_fund(&mut cmd.tx, actor, r.fund_id).await?;
    let id = r.id.unwrap_or_else(new_id);
    if let Some(t) = replayed(&mut cmd.tx, tenant, id, None, fund.account_id, r.amount).await? {
        cmd.tx.rollback().await?;
        return Ok(Posted {
            transfer_id: t.id,
            created: false,
        });
    }
    let source = source_account(&mut cmd, r.source).await?;
    let mut ts = Transfers::new(tenant);
    ts.add(
        &mut cmd.tx,
        TransferSpec {
            id,
            ..TransferSpec::posted(source, fund.account_id, r.amount, code, &memo)
        },
    )
    .await?;
    ts.flush(&mut cmd, actor).await?;
    cmd.commit().await?;
    Ok(Posted {
        transfer_id: id,
        created: true,
    })
}

/// A donation into a fund. The donor's name is personal data: public pages mask it.
pub async fn record_donation(
    app: &App,
    actor: &Actor,
    id: Option<Uuid>,
    fund_id: Uuid,
    donor_name: &str,
    fen: i64,
) -> Result<Uuid, AppError> {
    amount(fen, "amount")?;
    let donor = text(donor_name, "donor_name", 60)?;
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Fund, fund_id),
        "fund.donation",
    )
    .await?;
    let (tenant, fund) = managed_fund(&mut cmd.tx, actor, fund_id).await?;
    let id = id.unwrap_or_else(new_id);
    if let Some(d) = repo_l::donation(&mut cmd.tx, tenant, id).await? {
        cmd.tx.rollback().await?;
        if d.amount != fen || d.fund_id != fund_id {
            return Err(invalid("ledger_transfer_id_reused", "id"));
        }
        return Ok(d.id);
    }
    let source = source_account(&mut cmd, "donors").await?;
    let mut ts = Transfers::new(tenant);
    let transfer = new_id();
    ts.add(
        &mut cmd.tx,
        TransferSpec {
            id: transfer,
            ..TransferSpec::posted(source, fund.account_id, fen, "donation", "社会捐赠")
        },
    )
    .await?;
    ts.flush(&mut cmd, actor).await?;
    cmd.insert(
        "donations",
        &[
            ("tenant_id", tenant.into()),
            ("id", id.into()),
            ("fund_id", fund_id.into()),
            ("donor_name", donor.into()),
            ("amount", fen.into()),
            ("transfer_id", transfer.into()),
            ("received_at", app.now().micros().into()),
        ],
    )
    .await?;
    cmd.commit().await?;
    Ok(id)
}

/// Opens an account for someone the community pays (a contractor, a hospital).
pub async fn register_payee(
    app: &App,
    actor: &Actor,
    community: Uuid,
    name_zh: &str,
    name_en: &str,
) -> Result<Uuid, AppError> {
    let name_zh = text(name_zh, "name_zh", 80)?;
    let name_en = if name_en.trim().is_empty() {
        name_zh.clone()
    } else {
        text(name_en, "name_en", 80)?
    };
    let mut cmd = Command::on(app, actor, Target::Place(community), "payee.register").await?;
    let read = &mut cmd.tx;
    actor
        .require(read, Permission::ManageFunds, community)
        .await?;
    if tenant_of(read, community).await? != community {
        return Err(invalid("not_a_community", "community_id"));
    }
    let code = format!("Y-{}", short(new_id()));
    let id = open_account(&mut cmd, AccountKind::Payee, &code, &name_zh, &name_en).await?;
    cmd.commit().await?;
    Ok(id)
}

/// Money a payee returns (a hospital refunding what a treatment did not use) goes back to the
/// fund. From a custodian-held fund only the custodian records it.
pub async fn refund(
    app: &App,
    actor: &Actor,
    id: Option<Uuid>,
    payee_id: Uuid,
    fund_id: Uuid,
    fen: i64,
    memo: &str,
) -> Result<Posted, AppError> {
    amount(fen, "amount")?;
    let memo = text(memo, "memo", 200)?;
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Fund, fund_id),
        "fund.refund",
    )
    .await?;
    let read = &mut cmd.tx;
    let (tenant, fund) = load_fund(read, fund_id).await?;
    if fund.custodian.is_none() {
        actor
            .require(read, Permission::ManageFunds, fund.jurisdiction_id)
            .await?;
    }
    if fund.custodian.is_some() {
        let me = actor.account_id.ok_or(AppError::Unauthenticated)?;
        if !is_custodian(&mut cmd.tx, tenant, &fund, me, app).await? {
            return Err(invalid("custodian_only", "fund_id"));
        }
    }
    let id = id.unwrap_or_else(new_id);
    if let Some(t) = replayed(
        &mut cmd.tx,
        tenant,
        id,
        Some(payee_id),
        fund.account_id,
        fen,
    )
    .await?
    {
        cmd.tx.rollback().await?;
        return Ok(Posted {
            transfer_id: t.id,
            created: false,
        });
    }
    let payee = repo_l::account(&mut cmd.tx, tenant, payee_id)
        .await?
        .filter(|a| a.kind == AccountKind::Payee.key())
        .ok_or_else(|| invalid("payee_unknown", "payee_id"))?;
    let mut ts = Transfers::new(tenant);
    ts.add(
        &mut cmd.tx,
        TransferSpec {
            id,
            ..TransferSpec::posted(payee.id, fund.account_id, fen, "refund", &memo)
        },
    )
    .await?;
    ts.flush(&mut cmd, actor).await?;
    cmd.commit().await?;
    Ok(Posted {
        transfer_id: id,
        created: true,
    })
}

/// Reasons a transfer may be posted directly (bulk postings, imports). Reservations, expenses and
/// releases go through their own commands, which enforce resolutions and sign-off.
pub const DIRECT_CODES: &[&str] = &[
    "allocation",
    "carry_over",
    "cofunding",
    "donation",
    "refund",
    "correction",
];

/// Posts transfers between a community's accounts in one command, all or nothing (TigerBeetle's
/// linked transfers): one audit event, every touched account written once. A transfer whose id
/// was already posted with the same content is skipped (a retried batch posts nothing twice).
pub async fn post_transfers(
    app: &App,
    actor: &Actor,
    community: Uuid,
    specs: Vec<TransferSpec>,
) -> Result<Vec<Uuid>, AppError> {
    for s in &specs {
        if s.phase != Phase::Posted || !DIRECT_CODES.contains(&s.code) {
            return Err(invalid("ledger_code_not_direct", "code"));
        }
        amount(s.amount, "amount")?;
    }
    let mut cmd = Command::on(app, actor, Target::Place(community), "ledger.post").await?;
    let read = &mut cmd.tx;
    actor
        .require(read, Permission::ManageFunds, community)
        .await?;
    let mut ts = Transfers::new(community);
    let ids: Vec<Uuid> = specs.iter().map(|s| s.id).collect();
    // A retried batch: transfers already posted with the same content are skipped.
    let seen: HashMap<Uuid, TransferRow> = repo_l::transfers_by_id(&mut cmd.tx, community, &ids)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let accounts: Vec<Uuid> = specs.iter().flat_map(|s| [s.debit, s.credit]).collect();
    ts.preload(&mut cmd.tx, &accounts).await?;
    let guard = DirectGuard::load(&mut cmd.tx, community).await?;
    for s in &specs {
        guard.check(s)?;
    }
    for s in specs {
        if let Some(t) = seen.get(&s.id) {
            if (t.debit_id, t.credit_id, t.amount) != (s.debit, s.credit, s.amount) {
                return Err(invalid("ledger_transfer_id_reused", "id"));
            }
            continue;
        }
        ts.add(&mut cmd.tx, s).await?;
    }
    ts.flush(&mut cmd, actor).await?;
    cmd.commit().await?;
    Ok(ids)
}

/// What a direct posting may not touch: money leaves a project budget only through an expense
/// or its close-out, reaches a payee only through a signed-off expense, and moves in or out of a
/// custodian-held fund only through the custodian.
struct DirectGuard {
    accounts: HashMap<Uuid, AccountRow>,
    in_custody: Vec<Uuid>,
}

impl DirectGuard {
    async fn load(tx: &mut Tx, community: Uuid) -> Result<Self, AppError> {
        let accounts = repo_l::accounts(tx, community)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        let in_custody = repo_l::funds(tx, community)
            .await?
            .into_iter()
            .filter(|f| f.custodian.is_some())
            .map(|f| f.account_id)
            .collect();
        Ok(DirectGuard {
            accounts,
            in_custody,
        })
    }

    fn check(&self, s: &TransferSpec) -> Result<(), AppError> {
        let refuse = |id: &Uuid| {
            AppError::Invalid(
                DomainError::field("ledger_direct_not_allowed", "account").arg(
                    "account",
                    self.accounts
                        .get(id)
                        .map(|a| a.name_zh.clone())
                        .unwrap_or_default(),
                ),
            )
        };
        let kind = |id: &Uuid| self.accounts.get(id).map(|a| a.kind.as_str());
        if kind(&s.debit) == Some("project") || self.in_custody.contains(&s.debit) {
            return Err(refuse(&s.debit));
        }
        if kind(&s.credit) == Some("payee") || self.in_custody.contains(&s.credit) {
            return Err(refuse(&s.credit));
        }
        Ok(())
    }
}

/// Columns of a voucher file (记账凭证): English or Chinese headers.
const VOUCHER_COLUMNS: [(&str, &str); 6] = [
    ("voucher", "凭证号"),
    ("memo", "摘要"),
    ("account", "账户"),
    ("in", "收入"),
    ("out", "支出"),
    ("code", "类别"),
];

/// One line of a voucher file, checked.
struct VoucherLine {
    line: usize,
    memo: String,
    account: Uuid,
    money_in: i64,
    money_out: i64,
    code: &'static str,
}

/// What a voucher import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoucherReport {
    pub vouchers: usize,
    pub transfers: usize,
}

/// Whether the actor may import vouchers into the community, asked before the file is read.
pub async fn authorize_voucher_import(
    app: &App,
    actor: &Actor,
    community: Uuid,
) -> Result<(), AppError> {
    actor
        .authorize(app, Permission::ManageFunds, community)
        .await
}

/// Imports vouchers from a spreadsheet (CSV or XLSX): one line per account touched, with the
/// money that came in or went out of it. Each voucher must balance (Σ in = Σ out); a voucher with
/// one payer and several receivers (or the reverse) becomes one transfer per pair. Accounts are
/// named by code or exact name. If any line is wrong nothing is posted and every wrong line is
/// reported with its line number.
pub async fn import_vouchers(
    app: &App,
    actor: &Actor,
    community: Uuid,
    data: &[u8],
) -> Result<VoucherReport, AppError> {
    authorize_voucher_import(app, actor, community).await?;
    let sheet = crate::people::read_sheet(data)?;
    let cols = sheet.columns(&VOUCHER_COLUMNS, 5)?;
    let mut read = app.db.read().await?;
    actor
        .require(&mut read, Permission::ManageFunds, community)
        .await?;
    let accounts = repo_l::accounts(&mut read, community).await?;
    read.rollback().await?;
    let find = |name: &str| -> Result<Uuid, DomainError> {
        let name = name.trim();
        let by_code: Vec<_> = accounts.iter().filter(|a| a.code == name).collect();
        let by_name: Vec<_> = accounts
            .iter()
            .filter(|a| a.name_zh == name || a.name_en == name)
            .collect();
        match (by_code.as_slice(), by_name.as_slice()) {
            ([a], _) | ([], [a]) => Ok(a.id),
            ([], []) => {
                Err(DomainError::field("ledger_account_unknown", "account").arg("account", name))
            }
            _ => {
                Err(DomainError::field("import_account_ambiguous", "account").arg("account", name))
            }
        }
    };
    let money = |t: &str| -> Result<i64, DomainError> {
        if t.trim().is_empty() {
            Ok(0)
        } else {
            Fen::parse_yuan(t).map(|f| f.fen())
        }
    };
    let mut errors: Vec<(usize, DomainError)> = Vec::new();
    let mut vouchers: Vec<(String, Vec<VoucherLine>)> = Vec::new();
    for (line, row) in &sheet.rows {
        let cells = match row {
            Ok(c) => c,
            Err(e) => {
                errors.push((*line, e.clone()));
                continue;
            }
        };
        let cell = |i: usize| {
            cols[i]
                .and_then(|c| cells.get(c))
                .map(String::as_str)
                .unwrap_or("")
        };
        let parsed = (|| -> Result<(String, VoucherLine), DomainError> {
            let voucher = cell(0).trim().to_string();
            if voucher.is_empty() {
                return Err(DomainError::field("import_voucher_missing", "voucher"));
            }
            let account = find(cell(2))?;
            let (i, o) = (money(cell(3))?, money(cell(4))?);
            if i < 0 || o < 0 || (i > 0) == (o > 0) {
                return Err(DomainError::field("import_line_in_or_out", "in"));
            }
            let code_text = cell(5).trim();
            let code = if code_text.is_empty() {
                "allocation"
            } else {
                DIRECT_CODES
                    .iter()
                    .copied()
                    .find(|c| *c == code_text)
                    .ok_or_else(|| DomainError::field("ledger_code_not_direct", "code"))?
            };
            Ok((
                voucher,
                VoucherLine {
                    line: *line,
                    memo: cell(1).trim().to_string(),
                    account,
                    money_in: i,
                    money_out: o,
                    code,
                },
            ))
        })();
        match parsed {
            Ok((v, entry)) => match vouchers.iter_mut().find(|(id, _)| *id == v) {
                Some((_, lines)) => lines.push(entry),
                None => vouchers.push((v, vec![entry])),
            },
            Err(e) => errors.push((*line, e)),
        }
    }
    let mut specs: Vec<(usize, TransferSpec)> = Vec::new();
    for (voucher, lines) in &vouchers {
        let first = lines[0].line;
        let (ins, outs): (Vec<&VoucherLine>, Vec<&VoucherLine>) =
            lines.iter().partition(|l| l.money_in > 0);
        let total_in: i64 = ins.iter().map(|l| l.money_in).sum();
        let total_out: i64 = outs.iter().map(|l| l.money_out).sum();
        if total_in != total_out {
            errors.push((
                first,
                DomainError::field("import_voucher_unbalanced", "voucher")
                    .arg("voucher", voucher)
                    .arg("difference", Fen::new(total_in - total_out)),
            ));
            continue;
        }
        // Each transfer pairs the lone account on one side with one line of the other side,
        // and is reported by that line.
        let pairs: Vec<(&VoucherLine, &VoucherLine, &VoucherLine)> =
            match (outs.as_slice(), ins.as_slice()) {
                ([payer], receivers) => receivers.iter().map(|r| (*payer, *r, *r)).collect(),
                (payers, [receiver]) => payers.iter().map(|p| (*p, *receiver, *p)).collect(),
                _ => {
                    errors.push((
                        first,
                        DomainError::field("import_voucher_many_to_many", "voucher")
                            .arg("voucher", voucher),
                    ));
                    continue;
                }
            };
        for (payer, receiver, own) in pairs {
            let memo = [
                own.memo.as_str(),
                payer.memo.as_str(),
                receiver.memo.as_str(),
            ]
            .into_iter()
            .find(|m| !m.is_empty())
            .unwrap_or(voucher.as_str());
            let amount = own.money_in.max(own.money_out);
            specs.push((
                own.line,
                TransferSpec::posted(payer.account, receiver.account, amount, own.code, memo),
            ));
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|(l, _)| *l);
        return Err(AppError::Rows(errors));
    }
    if specs.is_empty() {
        return Err(invalid("import_empty", "file"));
    }
    // The sheet is read and its account names resolved before the community's write lock, so
    // a long file does not hold every other command of the community; the names resolve to
    // account ids (which never change), and every transfer is checked again under the lock.
    let mut cmd = Command::on(app, actor, Target::Place(community), "ledger.import").await?;
    actor
        .require(&mut cmd.tx, Permission::ManageFunds, community)
        .await?;
    let mut ts = Transfers::new(community);
    let guard = DirectGuard::load(&mut cmd.tx, community).await?;
    let n = specs.len();
    for (line, s) in specs {
        if let Err(e) = guard.check(&s) {
            return Err(match e {
                AppError::Invalid(d) => AppError::Rows(vec![(line, d)]),
                other => other,
            });
        }
        if let Err(e) = ts.add(&mut cmd.tx, s).await {
            return Err(match e {
                AppError::Invalid(d) => AppError::Rows(vec![(line, d)]),
                other => other,
            });
        }
    }
    ts.flush(&mut cmd, actor).await?;
    cmd.detail("vouchers", vouchers.len());
    cmd.commit().await?;
    Ok(VoucherReport {
        vouchers: vouchers.len(),
        transfers: n,
    })
}

/// Records an allocation into a fund, split between the paying budgets by the rulebook's shares
/// (`fund.allocation_shares`), to the fen: one posted transfer per source, all in one command. A
/// caller-chosen id makes a retry post nothing (the parts' ids follow from it).
pub async fn allocate(
    app: &App,
    actor: &Actor,
    id: Option<Uuid>,
    fund_id: Uuid,
    total: i64,
    memo: &str,
) -> Result<Vec<(String, i64)>, AppError> {
    amount(total, "amount")?;
    let memo = text(memo, "memo", 200)?;
    let mut cmd = Command::on(
        app,
        actor,
        Target::Record(Record::Fund, fund_id),
        "fund.allocate",
    )
    .await?;
    let read = &mut cmd.tx;
    let (tenant, fund) = load_fund(read, fund_id).await?;
    actor
        .require(read, Permission::ManageFunds, fund.jurisdiction_id)
        .await?;
    let shares = match rule_in_force(
        read,
        fund.jurisdiction_id,
        "fund.allocation_shares",
        app.now().china_date(),
        app.now(),
    )
    .await?
    {
        gongzhi_domain::rulebook::RuleValue::Shares(s) => s,
        _ => return Err(invalid("rule_missing", "fund.allocation_shares")),
    };
    let parts = shares.split(total);
    for (source, _) in &parts {
        if source == "donors" || !SOURCES.iter().any(|(k, _, _)| k == source) {
            return Err(invalid("ledger_source_unknown", "source"));
        }
    }
    let base = id.unwrap_or_else(new_id);
    let mut ts = Transfers::new(tenant);
    let mut fresh = false;
    for (i, (source, fen)) in parts.iter().enumerate() {
        let part_id = Uuid::from_u128(base.as_u128().wrapping_add(i as u128));
        if *fen == 0 {
            continue;
        }
        if replayed(&mut cmd.tx, tenant, part_id, None, fund.account_id, *fen)
            .await?
            .is_some()
        {
            continue;
        }
        let from = source_account(&mut cmd, source).await?;
        ts.add(
            &mut cmd.tx,
            TransferSpec {
                id: part_id,
                ..TransferSpec::posted(from, fund.account_id, *fen, "allocation", &memo)
            },
        )
        .await?;
        fresh = true;
    }
    if !fresh {
        cmd.tx.rollback().await?;
        return Ok(parts);
    }
    ts.flush(&mut cmd, actor).await?;
    cmd.detail("shares", serde_json::to_value(&shares).unwrap_or_default());
    cmd.commit().await?;
    Ok(parts)
}
