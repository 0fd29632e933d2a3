//! Open Contracting Data Standard 1.1 export: one release package with a release per event of
//! each contracting process (call opened; call failed or awarded; a donor's adoption of a venture
//! round's application; contract signed; each evaluation; each milestone payment settled by the
//! fund), so that a record can be compiled
//! from them. Payments are the ledger's settling transfers, as `implementation.transactions`,
//! so their sum for a contract equals what the fund actually posted to the supplier.
//!
//! Choices (see docs/decisions.md): the ocid is `{prefix}-{call id}`; amounts are yuan with two
//! decimals (`CNY`); catalogue items are classified under the scheme `x_CDGPS` (Chengdu's purchase
//! catalogue, not an OCDS-registered scheme); organisations with a credit code are identified
//! under `CN-USCC`; filed groups without one by their Gongzhi id. A venture round has one award
//! per grant (`{number}-award-{bid id}`), a donor's adoption adds one more (its donor masked); a
//! purchase's single award keeps `{number}-award`. Reversing corrections of a payment are not
//! yet exported as negative transactions.

use gongzhi_domain::lifecycle::{CallStatus, ItemKind};
use std::collections::HashMap;
use std::io::Write;

use gongzhi_domain::procurement::Method;
use gongzhi_domain::time::Instant;
use gongzhi_store::procurement::{
    self as repo_p, AdoptionRow, BidRow, CallRow, ContractRow, EvaluationRow, ItemRow, OrgRow,
    Settlement,
};
use gongzhi_store::repo;
use serde_json::{Value as Json, json};
use uuid::Uuid;

use super::{CallResult, catalogue};
use crate::{App, AppError};

/// What an export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OcdsSummary {
    pub processes: usize,
    pub releases: usize,
    /// Settled payments written as transactions, and their total in fen.
    pub transactions: usize,
    pub paid: i64,
}

/// Which OCDS package an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OcdsPackage {
    /// One release package: every release of every process.
    Releases,
    /// One record package: a record per process, its releases embedded and the compiled release
    /// (the process as it stands now) merged from them by the OCDS merge routine.
    Records,
}

/// Writes every contracting process as one OCDS 1.1 release package.
pub async fn export_ocds<W: Write + ?Sized>(
    app: &App,
    prefix: &str,
    publisher: &str,
    out: &mut W,
) -> Result<OcdsSummary, AppError> {
    export_ocds_package(app, prefix, publisher, OcdsPackage::Releases, out).await
}

/// Writes every contracting process as one OCDS 1.1 release or record package, streamed one
/// process at a time.
pub async fn export_ocds_package<W: Write + ?Sized>(
    app: &App,
    prefix: &str,
    publisher: &str,
    package: OcdsPackage,
    out: &mut W,
) -> Result<OcdsSummary, AppError> {
    let mut tx = app.db.read().await?;
    let calls = repo_p::all_calls(&mut tx).await?;
    let mut bids: HashMap<Uuid, Vec<BidRow>> = HashMap::new();
    for b in repo_p::all_bids(&mut tx).await? {
        bids.entry(b.call_id).or_default().push(b);
    }
    let mut adoptions: HashMap<Uuid, Vec<AdoptionRow>> = HashMap::new();
    for a in repo_p::all_adoptions(&mut tx).await? {
        adoptions.entry(a.call_id).or_default().push(a);
    }
    let mut contracts: HashMap<Uuid, Vec<ContractRow>> = HashMap::new();
    for k in repo_p::all_contracts(&mut tx).await? {
        contracts.entry(k.call_id).or_default().push(k);
    }
    let mut items: HashMap<Uuid, Vec<ItemRow>> = HashMap::new();
    for i in repo_p::all_items(&mut tx).await? {
        items.entry(i.contract_id).or_default().push(i);
    }
    let mut evaluations: HashMap<Uuid, Vec<EvaluationRow>> = HashMap::new();
    for e in repo_p::all_evaluations(&mut tx).await? {
        evaluations.entry(e.contract_id).or_default().push(e);
    }
    let settlements: HashMap<(Uuid, Uuid), Settlement> = repo_p::expense_settlements(&mut tx)
        .await?
        .into_iter()
        .map(|s| ((s.tenant_id, s.expense_id), s))
        .collect();
    let places: HashMap<Uuid, repo::JurisdictionRow> = repo::all_jurisdictions(&mut tx)
        .await?
        .into_iter()
        .map(|j| (j.id, j))
        .collect();
    // Each buyer's city (whose directory its suppliers are in) and catalogue, read once.
    let mut orgs: HashMap<Uuid, OrgRow> = HashMap::new();
    let mut catalogues = HashMap::new();
    for c in &calls {
        if catalogues.contains_key(&c.buyer_id) {
            continue;
        }
        let city = super::city_of(&mut tx, c.buyer_id).await?;
        if !orgs.values().any(|o| o.tenant_id == city) {
            for o in repo_p::all_organisations(&mut tx, city).await? {
                orgs.insert(o.id, o);
            }
        }
        catalogues.insert(c.buyer_id, catalogue(&mut tx, c.buyer_id, app.now()).await?);
    }
    tx.rollback().await?;

    let published = iso(app.now());
    let header = json!({
        "uri": format!("https://gongzhi.invalid/ocds/{prefix}/releases.json"),
        "version": "1.1",
        "publishedDate": published,
        "publisher": {"name": publisher},
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "publicationPolicy": "https://gongzhi.invalid/ocds/publication-policy",
    });
    let io = |e: std::io::Error| AppError::Store(gongzhi_store::StoreError::Data(e.to_string()));
    let json_err =
        |e: serde_json::Error| AppError::Store(gongzhi_store::StoreError::Data(e.to_string()));
    let head = serde_json::to_string(&header).map_err(json_err)?;
    // The header without its closing brace, then the releases (or records) streamed one by one.
    out.write_all(&head.as_bytes()[..head.len() - 1])
        .map_err(io)?;
    out.write_all(match package {
        OcdsPackage::Releases => b",\"releases\":[",
        OcdsPackage::Records => b",\"records\":[",
    })
    .map_err(io)?;
    let mut summary = OcdsSummary::default();
    let empty = Vec::new();
    for c in &calls {
        let ctx = Process {
            prefix,
            call: c,
            buyer: places.get(&c.buyer_id),
            bids: bids.get(&c.id).unwrap_or(&empty),
            orgs: &orgs,
            catalogue: catalogues.get(&c.buyer_id),
        };
        let mut releases = vec![ctx.tender_release()];
        if let Some(r) = ctx.decision_release() {
            releases.push(r);
        }
        for a in adoptions.get(&c.id).map(Vec::as_slice).unwrap_or(&[]) {
            releases.push(ctx.adoption_release(a));
        }
        for k in contracts.get(&c.id).map(Vec::as_slice).unwrap_or(&[]) {
            let its = items.get(&k.id).map(Vec::as_slice).unwrap_or(&[]);
            releases.push(ctx.contract_release(k, its));
            for (n, e) in evaluations
                .get(&k.id)
                .map(Vec::as_slice)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                releases.push(ctx.evaluation_release(k, e, n + 1));
            }
            for i in its {
                let Some(s) = i
                    .expense_id
                    .and_then(|e| settlements.get(&(k.tenant_id, e)))
                else {
                    continue;
                };
                releases.push(ctx.payment_release(k, i, s));
                summary.transactions += 1;
                summary.paid += s.amount;
            }
        }
        match package {
            OcdsPackage::Releases => {
                for r in &releases {
                    if summary.releases > 0 {
                        out.write_all(b",").map_err(io)?;
                    }
                    serde_json::to_writer(&mut *out, r).map_err(json_err)?;
                    summary.releases += 1;
                }
            }
            OcdsPackage::Records => {
                if summary.processes > 0 {
                    out.write_all(b",").map_err(io)?;
                }
                summary.releases += releases.len();
                let record = json!({
                    "ocid": ctx.ocid(),
                    "compiledRelease": compile(&ctx.ocid(), &releases),
                    "releases": releases,
                });
                serde_json::to_writer(&mut *out, &record).map_err(json_err)?;
            }
        }
        summary.processes += 1;
    }
    out.write_all(b"]}\n").map_err(io)?;
    Ok(summary)
}

/// The compiled release of a process: its releases merged in date order by the OCDS 1.1 merge
/// routine (objects merge field by field; arrays of objects with an `id` merge item by item;
/// other values, and other arrays, are replaced by the later release's), tagged `compiled`.
/// Releases are built in date order already; a stable sort keeps equal dates in build order.
fn compile(ocid: &str, releases: &[Json]) -> Json {
    let mut ordered: Vec<&Json> = releases.iter().collect();
    ordered.sort_by(|a, b| a["date"].as_str().cmp(&b["date"].as_str()));
    let mut compiled = json!({});
    for r in ordered {
        merge(&mut compiled, r);
    }
    compiled["id"] = json!(format!("{ocid}-compiled"));
    compiled["tag"] = json!(["compiled"]);
    compiled
}

fn merge(into: &mut Json, from: &Json) {
    match (into, from) {
        (Json::Object(a), Json::Object(b)) => {
            for (k, v) in b {
                if v.is_null() {
                    a.remove(k);
                } else if let Some(existing) = a.get_mut(k) {
                    merge(existing, v);
                } else {
                    a.insert(k.clone(), v.clone());
                }
            }
        }
        (Json::Array(a), Json::Array(b)) if is_identified(b) && is_identified(a) => {
            for item in b {
                match a.iter_mut().find(|x| x["id"] == item["id"]) {
                    Some(existing) => merge(existing, item),
                    None => a.push(item.clone()),
                }
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

/// An array whose items are all objects with an `id`: merged by identifier.
fn is_identified(items: &[Json]) -> bool {
    items.iter().all(|i| i.get("id").is_some())
}

/// An RFC 3339 date-time in China Standard Time.
fn iso(at: Instant) -> String {
    at.to_offset_datetime()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Fen as an OCDS amount (yuan, two decimals).
fn money(fen: i64) -> Json {
    json!({"amount": yuan(fen), "currency": "CNY"})
}

fn yuan(fen: i64) -> Json {
    // Through the decimal text, so 12345.67 is written as such and not as a binary neighbour.
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    serde_json::from_str(&format!("{sign}{}.{:02}", abs / 100, abs % 100)).unwrap_or(Json::Null)
}

fn date_start(d: &str) -> String {
    format!("{d}T00:00:00+08:00")
}

fn date_end(d: &str) -> String {
    format!("{d}T23:59:59+08:00")
}

struct Process<'a> {
    prefix: &'a str,
    call: &'a CallRow,
    buyer: Option<&'a repo::JurisdictionRow>,
    bids: &'a [BidRow],
    orgs: &'a HashMap<Uuid, OrgRow>,
    catalogue: Option<&'a gongzhi_domain::procurement::Catalogue>,
}

impl Process<'_> {
    fn ocid(&self) -> String {
        format!("{}-{}", self.prefix, self.call.id)
    }

    fn buyer_ref(&self) -> Json {
        let name = self.buyer.map(|b| b.name_zh.clone()).unwrap_or_default();
        json!({"id": format!("GZ-J-{}", self.call.buyer_id), "name": name})
    }

    fn buyer_party(&self) -> Json {
        let mut p = self.buyer_ref();
        p["roles"] = json!(["buyer", "procuringEntity", "payer"]);
        if let Some(b) = self.buyer {
            p["address"] = json!({"region": b.name_zh, "countryName": "中国"});
        }
        p
    }

    fn org_id(o: &OrgRow) -> String {
        match &o.credit_code {
            Some(c) => format!("CN-USCC-{c}"),
            None => format!("GZ-ORG-{}", o.id),
        }
    }

    fn org_ref(&self, id: Uuid) -> Json {
        match self.orgs.get(&id) {
            Some(o) => json!({"id": Self::org_id(o), "name": o.name_zh}),
            None => json!({"id": format!("GZ-ORG-{id}"), "name": id.to_string()}),
        }
    }

    fn org_party(&self, id: Uuid, roles: &[&str]) -> Json {
        let mut p = self.org_ref(id);
        p["roles"] = json!(roles);
        if let Some(o) = self.orgs.get(&id) {
            p["identifier"] = match &o.credit_code {
                Some(c) => json!({"scheme": "CN-USCC", "id": c, "legalName": o.name_zh}),
                None => json!({"legalName": o.name_zh}),
            };
            p["details"] = json!({"kind": o.kind});
        }
        p
    }

    fn release(&self, suffix: &str, at: i64, tags: &[&str], parties: Vec<Json>) -> Json {
        json!({
            "ocid": self.ocid(),
            "id": format!("{}-{suffix}", self.ocid()),
            "date": iso(Instant::from_micros(at)),
            "tag": tags,
            "initiationType": "tender",
            "language": "zh",
            "parties": parties,
            "buyer": self.buyer_ref(),
        })
    }

    fn item(&self) -> Json {
        let (zh, en) = self
            .catalogue
            .and_then(|c| c.get(&self.call.catalogue_code))
            .map(|i| (i.zh.clone(), i.en.clone()))
            .unwrap_or_else(|| (self.call.title.clone(), self.call.title.clone()));
        json!({
            "id": "1",
            "description": zh,
            "classification": {
                "scheme": "x_CDGPS",
                "id": self.call.catalogue_code,
                "description": en,
            },
        })
    }

    fn tender(&self, status: &str) -> Json {
        let c = self.call;
        let method = Method::parse(&c.method).unwrap_or(Method::OpenTender);
        let mut t = json!({
            "id": c.number,
            "title": c.title,
            "description": c.description,
            "status": status,
            "procuringEntity": self.buyer_ref(),
            "items": [self.item()],
            "value": money(c.value),
            "procurementMethod": method.ocds(),
            "procurementMethodDetails": c.method,
            "mainProcurementCategory": "services",
            "awardCriteria": "ratedCriteria",
            "submissionMethod": ["electronicSubmission"],
            "tenderPeriod": {"startDate": iso(Instant::from_micros(c.opens_at)), "endDate": iso(Instant::from_micros(c.closes_at))},
            "contractPeriod": {"durationInDays": c.contract_months * 30},
        });
        if let Some(j) = &c.justification {
            t["procurementMethodRationale"] = json!(j);
        }
        t
    }

    fn tender_release(&self) -> Json {
        let mut r = self.release(
            "tender",
            self.call.opens_at,
            &["tender"],
            vec![self.buyer_party()],
        );
        r["tender"] = self.tender("active");
        r
    }

    fn result(&self) -> Option<CallResult> {
        self.call
            .result_json
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok())
    }

    /// A purchase's one award keeps the plain id; each grant of a round is its own award.
    fn award_id(&self, bid: Uuid) -> String {
        if self.call.round_json.is_some() {
            format!("{}-award-{bid}", self.call.number)
        } else {
            format!("{}-award", self.call.number)
        }
    }

    fn award(&self, b: &BidRow, at: i64) -> Json {
        let mut a = json!({
            "id": self.award_id(b.id),
            "title": self.call.title,
            "status": "active",
            "date": iso(Instant::from_micros(at)),
            "value": money(b.price),
            "suppliers": [self.org_ref(b.organisation_id)],
        });
        if let Some(t) = &b.theme {
            a["description"] = json!(t);
        }
        a
    }

    /// A donor's adoption of a round's application: an award of its own, funded by the donor.
    fn adoption_release(&self, a: &AdoptionRow) -> Json {
        let parties = vec![
            self.buyer_party(),
            self.org_party(
                self.bids
                    .iter()
                    .find(|b| b.id == a.bid_id)
                    .map_or(a.bid_id, |b| b.organisation_id),
                &["tenderer", "supplier"],
            ),
        ];
        let mut r = self.release(
            &format!("adoption-{}", a.bid_id),
            a.adopted_at,
            &["award"],
            parties,
        );
        if let Some(b) = self.bids.iter().find(|b| b.id == a.bid_id) {
            let mut award = self.award(b, a.adopted_at);
            award["description"] = json!(format!(
                "{}{}认领",
                b.theme
                    .as_deref()
                    .map(|t| format!("{t} · "))
                    .unwrap_or_default(),
                gongzhi_domain::person::mask_name(&a.donor_name)
            ));
            r["awards"] = json!([award]);
        }
        r
    }

    /// The failed or awarded decision, when the call has one.
    fn decision_release(&self) -> Option<Json> {
        let at = self.call.decided_at?;
        let result = self.result()?;
        let mut parties = vec![self.buyer_party()];
        let funded = result.funded();
        let winners: Vec<&BidRow> = funded
            .iter()
            .filter_map(|w| self.bids.iter().find(|b| b.id == *w))
            .collect();
        for b in self.bids {
            let roles: &[&str] = if funded.contains(&b.id) {
                &["tenderer", "supplier"]
            } else {
                &["tenderer"]
            };
            parties.push(self.org_party(b.organisation_id, roles));
        }
        let status = if result.outcome == CallStatus::Awarded {
            "complete"
        } else {
            "unsuccessful"
        };
        let mut tender = self.tender(status);
        tender["numberOfTenderers"] = json!(self.bids.len());
        if !self.bids.is_empty() {
            tender["tenderers"] = json!(
                self.bids
                    .iter()
                    .map(|b| self.org_ref(b.organisation_id))
                    .collect::<Vec<_>>()
            );
        }
        let tags: &[&str] = if !winners.is_empty() {
            &["award", "tenderUpdate"]
        } else {
            &["tenderUpdate"]
        };
        let mut r = self.release("decision", at, tags, parties);
        r["tender"] = tender;
        if !winners.is_empty() {
            r["awards"] = json!(
                winners
                    .iter()
                    .map(|b| self.award(b, at))
                    .collect::<Vec<_>>()
            );
        }
        Some(r)
    }

    fn contract_base(&self, k: &ContractRow) -> Json {
        json!({"id": k.id.to_string(), "awardID": self.award_id(k.bid_id)})
    }

    fn contract_release(&self, k: &ContractRow, items: &[ItemRow]) -> Json {
        // A party's roles are replaced, not merged, when releases are compiled: list them all.
        let parties = vec![
            self.buyer_party(),
            self.org_party(k.organisation_id, &["tenderer", "supplier", "payee"]),
        ];
        // A round signs several contracts in one process: each release id names its contract.
        let mut r = self.release(
            &format!("contract-{}", k.id),
            k.signed_at,
            &["contract"],
            parties,
        );
        let mut contract = self.contract_base(k);
        contract["title"] = json!(k.title);
        contract["status"] = json!("active");
        contract["period"] =
            json!({"startDate": date_start(&k.starts_on), "endDate": date_end(&k.ends_on)});
        contract["value"] = money(k.value);
        contract["dateSigned"] = json!(iso(Instant::from_micros(k.signed_at)));
        contract["items"] = json!([self.item()]);
        let milestones: Vec<Json> = items
            .iter()
            .map(|i| {
                let mut m = json!({
                    "id": i.position.to_string(),
                    "title": i.title,
                    "type": if i.kind == ItemKind::Milestone { "financing" } else { "delivery" },
                    "status": if i.done_at.is_some() { "met" } else { "scheduled" },
                });
                if let Some(d) = &i.due_on {
                    m["dueDate"] = json!(date_end(d));
                }
                if i.kind == ItemKind::Milestone {
                    m["description"] =
                        json!(format!("付款 {}", gongzhi_domain::Fen::new(i.amount)));
                }
                if let Some(c) = &i.catalogue_code {
                    m["code"] = json!(c);
                }
                m
            })
            .collect();
        if !milestones.is_empty() {
            contract["milestones"] = json!(milestones);
        }
        r["contracts"] = json!([contract]);
        r
    }

    fn evaluation_release(&self, k: &ContractRow, e: &EvaluationRow, n: usize) -> Json {
        let mut r = self.release(
            &format!("evaluation-{}-{n}", k.id),
            e.evaluated_at,
            &["implementation"],
            vec![self.buyer_party()],
        );
        let mut contract = self.contract_base(k);
        contract["implementation"] = json!({"milestones": [{
            "id": format!("evaluation-{n}"),
            "title": format!("绩效评估 {}/100", e.score),
            "type": "assessment",
            "status": "met",
            "description": format!("{} · {}", e.evaluator_name, e.summary),
            "dateMet": iso(Instant::from_micros(e.evaluated_at)),
        }]});
        r["contracts"] = json!([contract]);
        r
    }

    fn payment_release(&self, k: &ContractRow, i: &ItemRow, s: &Settlement) -> Json {
        let parties = vec![
            self.buyer_party(),
            self.org_party(k.organisation_id, &["tenderer", "supplier", "payee"]),
        ];
        let mut r = self.release(
            &format!("payment-{}", s.transfer_id),
            s.created_at,
            &["implementation"],
            parties,
        );
        let mut contract = self.contract_base(k);
        contract["implementation"] = json!({"transactions": [{
            "id": s.transfer_id.to_string(),
            "source": "https://gongzhi.invalid/ledger",
            "date": iso(Instant::from_micros(s.created_at)),
            "value": money(s.amount),
            "payer": self.buyer_ref(),
            "payee": self.org_ref(k.organisation_id),
            "uri": format!("https://gongzhi.invalid/contracts/{}#m{}", k.id, i.position),
        }]});
        r["contracts"] = json!([contract]);
        r
    }
}
