//! Government purchase of services (政府购买服务): who may supply, what may be bought, how a call is
//! judged and how a contract is paid. Pure rules; the app layer stores and sequences them.
//!
//! - [`check_credit_code`]: the unified social credit code (统一社会信用代码, GB 32100-2015) with its
//!   check digit, and the registration kind its first two characters announce.
//! - [`OrgKind`]: registered social organisations (social group, private non-enterprise unit,
//!   foundation), organisations filed at community level, social enterprises and companies.
//! - [`Catalogue`]: the three-level purchase catalogue (A → A2 → A2-8), a rule value, so it is
//!   versioned and inherited like every other rule.
//! - [`ProcurementRule`]: minimum applicants, minimum co-funding, contract terms, the social
//!   organisations' minimum share of new public-service purchases.
//! - [`Criterion`] and [`rank_bids`]: weighted scoring by a panel, the ranking and its tie-breaks.
//! - [`PaymentRule`]: how the evaluation score sets the share of the final payment.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::DomainError;
use crate::threshold::Share;

/// The 31 characters of a credit code, in the order of their values (no I, O, S, V, Z).
const CREDIT_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights 3^i mod 31 of the first 17 characters (GB 32100-2015).
const CREDIT_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// The check character of the first 17 characters of a credit code.
fn credit_check_char(first17: &[u8]) -> Option<u8> {
    let mut sum = 0u32;
    for (c, w) in first17.iter().zip(CREDIT_WEIGHTS) {
        let v = CREDIT_ALPHABET.iter().position(|a| a == c)? as u32;
        sum += v * w;
    }
    Some(CREDIT_ALPHABET[((31 - sum % 31) % 31) as usize])
}

/// The full code for 17 characters of a credit code: the check character appended. For seeding
/// and tests; `None` when a character is outside the code's alphabet or the length is wrong.
pub fn complete_credit_code(first17: &str) -> Option<String> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 {
        return None;
    }
    let check = credit_check_char(bytes)?;
    Some(format!("{first17}{}", char::from(check)))
}

/// Checks a unified social credit code: 18 characters from the code's alphabet, the last one the
/// check character. Returns it in capitals. Spaces and lower case are forgiven.
pub fn check_credit_code(input: &str) -> Result<String, DomainError> {
    let code: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if code.len() != 18 || !code.is_ascii() {
        return Err(DomainError::field("credit_code_length", "credit_code").arg("value", input));
    }
    let bytes = code.as_bytes();
    if let Some(bad) = bytes.iter().find(|b| !CREDIT_ALPHABET.contains(b)) {
        return Err(DomainError::field("credit_code_character", "credit_code")
            .arg("character", char::from(*bad)));
    }
    let expected = credit_check_char(&bytes[..17]).unwrap_or(b'?');
    if bytes[17] != expected {
        return Err(DomainError::field("credit_code_check_digit", "credit_code")
            .arg("expected", char::from(expected))
            .arg("found", char::from(bytes[17])));
    }
    Ok(code)
}

/// What kind of body a supplier is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// 社会团体, registered with civil affairs (credit code 51…).
    SocialGroup,
    /// 民办非企业单位 / 社会服务机构 (credit code 52…).
    PrivateNonEnterprise,
    /// 基金会 (credit code 53…).
    Foundation,
    /// 社区社会组织 filed (备案) with a community: no registration, no credit code needed.
    CommunityOrg,
    /// A volunteer team filed with a community (蒋姐姐助老服务队).
    VolunteerTeam,
    /// 社会企业: a company certified as a social enterprise.
    SocialEnterprise,
    /// 一般企业.
    Company,
}

pub const ORG_KINDS: &[OrgKind] = &[
    OrgKind::SocialGroup,
    OrgKind::PrivateNonEnterprise,
    OrgKind::Foundation,
    OrgKind::CommunityOrg,
    OrgKind::VolunteerTeam,
    OrgKind::SocialEnterprise,
    OrgKind::Company,
];

impl OrgKind {
    pub fn key(self) -> &'static str {
        match self {
            OrgKind::SocialGroup => "social_group",
            OrgKind::PrivateNonEnterprise => "private_non_enterprise",
            OrgKind::Foundation => "foundation",
            OrgKind::CommunityOrg => "community_org",
            OrgKind::VolunteerTeam => "volunteer_team",
            OrgKind::SocialEnterprise => "social_enterprise",
            OrgKind::Company => "company",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        ORG_KINDS
            .iter()
            .copied()
            .find(|k| k.key() == s)
            .ok_or_else(|| DomainError::field("org_kind_unknown", "kind").arg("value", s))
    }

    /// Registered with civil affairs (and so carries a credit code beginning with 5).
    pub fn is_registered(self) -> bool {
        matches!(
            self,
            OrgKind::SocialGroup | OrgKind::PrivateNonEnterprise | OrgKind::Foundation
        )
    }

    /// Filed at community level only.
    pub fn is_filed(self) -> bool {
        matches!(self, OrgKind::CommunityOrg | OrgKind::VolunteerTeam)
    }

    /// Counts as a social organisation in the 30% report (财综〔2016〕54号 speaks of 社会组织:
    /// registered or filed, not companies, social enterprises included only if registered as one
    /// of the three civil-affairs forms).
    pub fn is_social_org(self) -> bool {
        self.is_registered() || self.is_filed()
    }

    /// What the first two characters of its credit code must be, if the kind fixes them:
    /// 5 = civil affairs, then 1 social group, 2 private non-enterprise unit, 3 foundation.
    pub fn credit_prefix(self) -> Option<&'static str> {
        match self {
            OrgKind::SocialGroup => Some("51"),
            OrgKind::PrivateNonEnterprise => Some("52"),
            OrgKind::Foundation => Some("53"),
            _ => None,
        }
    }
}

/// Checks that a supplier of `kind` carries the credit code its kind needs: registered
/// organisations and companies must have one, with the right prefix for civil-affairs kinds;
/// filed groups may have none.
pub fn check_org_identity(
    kind: OrgKind,
    code: Option<&str>,
) -> Result<Option<String>, DomainError> {
    let code = match code.map(str::trim).filter(|c| !c.is_empty()) {
        None if kind.is_filed() => return Ok(None),
        None => return Err(DomainError::field("credit_code_required", "credit_code")),
        Some(c) => check_credit_code(c)?,
    };
    if let Some(prefix) = kind.credit_prefix()
        && !code.starts_with(prefix)
    {
        return Err(
            DomainError::field("credit_code_kind_mismatch", "credit_code")
                .arg("prefix", prefix)
                .arg("kind", kind.key()),
        );
    }
    Ok(Some(code))
}

/// One entry of the purchase catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueItem {
    pub code: String,
    pub zh: String,
    pub en: String,
}

/// The three-level purchase catalogue (指导目录): `A`, `A2`, `A2-8`. Every entry's parent is in it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub items: Vec<CatalogueItem>,
}

/// The parent code of a catalogue code, or `None` for a top-level letter. `Err` for a code that
/// is not of the form `A`, `A2` or `A2-8`.
pub fn catalogue_parent(code: &str) -> Result<Option<&str>, DomainError> {
    let bad = || DomainError::field("catalogue_code_invalid", "catalogue_code").arg("code", code);
    let mut chars = code.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_uppercase()) {
        return Err(bad());
    }
    let rest = &code[1..];
    if rest.is_empty() {
        return Ok(None);
    }
    let (second, third) = match rest.split_once('-') {
        Some((s, t)) => (s, Some(t)),
        None => (rest, None),
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(second) {
        return Err(bad());
    }
    match third {
        None => Ok(Some(&code[..1])),
        Some(t) if digits(t) => Ok(Some(&code[..1 + second.len()])),
        Some(_) => Err(bad()),
    }
}

impl Catalogue {
    pub fn validate(&self) -> Result<(), DomainError> {
        for (i, item) in self.items.iter().enumerate() {
            let parent = catalogue_parent(&item.code)?;
            if self.items[..i].iter().any(|o| o.code == item.code) {
                return Err(
                    DomainError::field("catalogue_code_repeated", "catalogue_code")
                        .arg("code", &item.code),
                );
            }
            if let Some(p) = parent
                && !self.items.iter().any(|o| o.code == p)
            {
                return Err(
                    DomainError::field("catalogue_parent_missing", "catalogue_code")
                        .arg("code", &item.code)
                        .arg("parent", p),
                );
            }
            if item.zh.trim().is_empty() || item.en.trim().is_empty() {
                return Err(
                    DomainError::field("catalogue_name_missing", "catalogue_code")
                        .arg("code", &item.code),
                );
            }
        }
        Ok(())
    }

    pub fn get(&self, code: &str) -> Option<&CatalogueItem> {
        self.items.iter().find(|i| i.code == code)
    }

    /// A purchasable item: a third-level entry (calls and qualifications name these).
    pub fn leaf(&self, code: &str) -> Result<&CatalogueItem, DomainError> {
        let item = self.get(code).ok_or_else(|| {
            DomainError::field("catalogue_code_unknown", "catalogue_code").arg("code", code)
        })?;
        if !code.contains('-') {
            return Err(
                DomainError::field("catalogue_code_not_leaf", "catalogue_code").arg("code", code),
            );
        }
        Ok(item)
    }

    /// The entry and its ancestors, top first: `A`, `A2`, `A2-8`.
    pub fn path(&self, code: &str) -> Vec<&CatalogueItem> {
        let mut out = Vec::new();
        let mut at = Some(code);
        while let Some(c) = at {
            if let Some(item) = self.get(c) {
                out.push(item);
            }
            at = catalogue_parent(c).ok().flatten();
        }
        out.reverse();
        out
    }
}

/// How a purchase is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// 公开招标.
    OpenTender,
    /// 竞争性磋商.
    CompetitiveNegotiation,
    /// 比选 (comparative selection of invited or applying suppliers).
    ComparativeSelection,
    /// 单一来源: one supplier, with a written justification.
    SingleSource,
    /// 公益创投: a venture-philanthropy competition. Organisations apply under the round's themes,
    /// present at a roadshow and are scored by a panel; several grants are awarded from one pool,
    /// and donors may adopt further projects (see `GrantRound`).
    Venture,
}

pub const METHODS: &[Method] = &[
    Method::OpenTender,
    Method::CompetitiveNegotiation,
    Method::ComparativeSelection,
    Method::SingleSource,
    Method::Venture,
];

impl Method {
    pub fn key(self) -> &'static str {
        match self {
            Method::OpenTender => "open_tender",
            Method::CompetitiveNegotiation => "competitive_negotiation",
            Method::ComparativeSelection => "comparative_selection",
            Method::SingleSource => "single_source",
            Method::Venture => "venture",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        METHODS
            .iter()
            .copied()
            .find(|m| m.key() == s)
            .ok_or_else(|| DomainError::field("call_method_unknown", "method").arg("value", s))
    }

    /// OCDS `tender.procurementMethod` (a closed codelist: open, selective, limited, direct).
    pub fn ocds(self) -> &'static str {
        match self {
            Method::OpenTender | Method::Venture => "open",
            Method::CompetitiveNegotiation | Method::ComparativeSelection => "selective",
            Method::SingleSource => "direct",
        }
    }
}

/// The procurement rules in force for a buyer (one rule value, `procurement.rules`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcurementRule {
    /// Fewest valid bids for a competitive call; fewer and the call fails (single source: 1).
    pub min_bidders: u32,
    /// Co-funding the supplier must bring, as a share of its price (0/1 when none is asked).
    pub min_cofunding: Share,
    /// Longest contract term in months, normally.
    pub max_months: u32,
    /// Longest term in months when the service is stable and its budget guaranteed.
    pub stable_max_months: u32,
    /// Social organisations' minimum share of new public-service purchase spending.
    pub social_org_share: Share,
}

impl ProcurementRule {
    pub fn validate(&self) -> Result<(), DomainError> {
        self.min_cofunding.validate()?;
        self.social_org_share.validate()?;
        if self.min_bidders == 0
            || self.max_months == 0
            || self.stable_max_months < self.max_months
            || self.stable_max_months > 120
        {
            return Err(DomainError::new("rule_out_of_range").arg("key", "procurement.rules"));
        }
        Ok(())
    }

    /// The fewest bids a call by `method` needs.
    pub fn min_bids(&self, method: Method) -> u32 {
        if method == Method::SingleSource {
            1
        } else {
            self.min_bidders
        }
    }

    /// Checks a contract term: `stable` services may run to `stable_max_months`.
    pub fn check_term(&self, starts: Date, ends: Date, stable: bool) -> Result<(), DomainError> {
        if ends < starts {
            return Err(DomainError::field("contract_ends_before_start", "ends_on"));
        }
        let max = if stable {
            self.stable_max_months
        } else {
            self.max_months
        };
        // A term of N months from 1 March runs to the last day of February N months on.
        let limit = add_months(starts, max).previous_day().unwrap_or(starts);
        if ends > limit {
            return Err(DomainError::field("contract_term_too_long", "ends_on")
                .arg("months", max)
                .arg("stable", stable));
        }
        Ok(())
    }

    /// The co-funding a bid at `price` must bring at least.
    pub fn min_cofunding_for(&self, price: i64) -> i64 {
        let price = u64::try_from(price).unwrap_or(0);
        let s = self.min_cofunding;
        if s.num == 0 {
            return 0;
        }
        i64::try_from(s.min_part(price)).unwrap_or(i64::MAX)
    }
}

/// Checks a contract against the term its call announced: a contract signed on a call for 24
/// months may not run 36, whatever the rulebook would allow (the other bidders priced 24).
pub fn check_term_within_call(starts: Date, ends: Date, months: u32) -> Result<(), DomainError> {
    let limit = add_months(starts, months).previous_day().unwrap_or(starts);
    if ends > limit {
        return Err(
            DomainError::field("contract_term_beyond_call", "ends_on").arg("months", months)
        );
    }
    Ok(())
}

/// `date` plus `months`, clamped to the month's last day.
pub fn add_months(date: Date, months: u32) -> Date {
    let total = date.year() * 12 + i32::from(u8::from(date.month())) - 1 + months as i32;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = time::Month::try_from(month0 as u8 + 1).unwrap_or(time::Month::January);
    let last = month.length(year);
    Date::from_calendar_date(year, month, date.day().min(last)).unwrap_or(date)
}

/// One scoring criterion of a call, with its weight (weights add up to 100).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    pub key: String,
    pub zh: String,
    pub en: String,
    pub weight: u32,
}

/// The scale each criterion is scored on: 0 to this.
pub const SCORE_SCALE: u32 = 100;

pub fn check_criteria(criteria: &[Criterion]) -> Result<(), DomainError> {
    if criteria.is_empty() {
        return Err(DomainError::field("criteria_missing", "criteria"));
    }
    for (i, c) in criteria.iter().enumerate() {
        let key_ok = !c.key.is_empty()
            && c.key.len() <= 40
            && c.key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        if !key_ok || criteria[..i].iter().any(|o| o.key == c.key) {
            return Err(DomainError::field("criterion_key_invalid", "criteria").arg("key", &c.key));
        }
        if c.zh.trim().is_empty() || c.weight == 0 {
            return Err(DomainError::field("criterion_invalid", "criteria").arg("key", &c.key));
        }
    }
    let total: u32 = criteria.iter().map(|c| c.weight).sum();
    if total != 100 {
        return Err(DomainError::field("criteria_weights_not_100", "criteria").arg("total", total));
    }
    Ok(())
}

/// One panelist's scores for one bid, criterion by criterion: checks the keys and the scale, and
/// returns the weighted total in hundredths of a point (0..=10,000).
pub fn weighted_score(
    criteria: &[Criterion],
    scores: &[(String, u32)],
) -> Result<u32, DomainError> {
    let mut total = 0u32;
    for c in criteria {
        let found: Vec<_> = scores.iter().filter(|(k, _)| *k == c.key).collect();
        let [(_, s)] = found.as_slice() else {
            return Err(DomainError::field("score_missing", "scores").arg("criterion", &c.key));
        };
        if *s > SCORE_SCALE {
            return Err(DomainError::field("score_out_of_scale", "scores")
                .arg("criterion", &c.key)
                .arg("max", SCORE_SCALE));
        }
        total += c.weight * s;
    }
    if let Some((k, _)) = scores
        .iter()
        .find(|(k, _)| !criteria.iter().any(|c| c.key == *k))
    {
        return Err(DomainError::field("score_criterion_unknown", "scores").arg("criterion", k));
    }
    Ok(total)
}

/// A bid as ranking sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoredBid<Id> {
    pub bid: Id,
    pub price: i64,
    /// Order of submission (earlier first).
    pub submitted: i64,
    /// Each panelist's weighted total in hundredths of a point.
    pub totals: Vec<u32>,
}

/// A bid's place in the ranking, with its mean score in hundredths of a point (rounded half up).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranked<Id> {
    pub bid: Id,
    pub mean_centi: u32,
    pub rank: u32,
}

/// Ranks bids by mean panel score, exactly (compared as sum × other count); ties go to the lower
/// price, then to the earlier submission. Every bid must be scored by the same panel.
pub fn rank_bids<Id: Clone>(bids: &[ScoredBid<Id>]) -> Result<Vec<Ranked<Id>>, DomainError> {
    if bids.is_empty() {
        return Err(DomainError::new("call_no_bids"));
    }
    if bids.iter().any(|b| b.totals.is_empty()) {
        return Err(DomainError::new("call_scores_incomplete"));
    }
    let mut order: Vec<&ScoredBid<Id>> = bids.iter().collect();
    let sum = |b: &ScoredBid<Id>| b.totals.iter().map(|t| u64::from(*t)).sum::<u64>();
    order.sort_by(|a, b| {
        let left = sum(a) * b.totals.len() as u64;
        let right = sum(b) * a.totals.len() as u64;
        right
            .cmp(&left)
            .then(a.price.cmp(&b.price))
            .then(a.submitted.cmp(&b.submitted))
    });
    Ok(order
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            let n = b.totals.len() as u64;
            Ranked {
                bid: b.bid.clone(),
                mean_centi: u32::try_from((sum(b) + n / 2) / n).unwrap_or(u32::MAX),
                rank: i as u32 + 1,
            }
        })
        .collect())
}

/// The terms of a venture-philanthropy round (公益创投) beyond those of any call: the themes
/// applications come under, how many grants the pool may fund, and the roadshow where applicants
/// present to the panel. The call's value is the pool; each application's price is the grant it
/// asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantRound {
    /// E.g. 院落美化, 邻里共融, 公益服务 (a community 微创投's "1+3+N").
    pub themes: Vec<String>,
    /// The most grants the pool funds (the province's "15" of "15+N").
    pub max_awards: u32,
    /// When the roadshow (路演) is held, if set.
    pub roadshow_at: Option<i64>,
    pub roadshow_place: Option<String>,
}

/// Longest theme name, in characters.
pub const THEME_MAX_CHARS: usize = 30;

impl GrantRound {
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.themes.is_empty() {
            return Err(DomainError::field("round_themes_missing", "themes"));
        }
        for (i, t) in self.themes.iter().enumerate() {
            let n = t.trim().chars().count();
            if n == 0 || n > THEME_MAX_CHARS || t.trim() != t {
                return Err(DomainError::field("round_theme_invalid", "themes")
                    .arg("max", THEME_MAX_CHARS as u64));
            }
            if self.themes[..i].contains(t) {
                return Err(DomainError::field("round_theme_twice", "themes").arg("theme", t));
            }
        }
        if self.max_awards == 0 || self.max_awards > 1000 {
            return Err(DomainError::field("round_max_awards_invalid", "max_awards"));
        }
        Ok(())
    }

    /// Checks that an application names one of the round's themes.
    pub fn check_theme(&self, theme: Option<&str>) -> Result<(), DomainError> {
        match theme {
            Some(t) if self.themes.iter().any(|x| x == t) => Ok(()),
            Some(t) => Err(DomainError::field("bid_theme_unknown", "theme")
                .arg("theme", t)
                .arg("themes", self.themes.join("、"))),
            None => Err(DomainError::field("bid_theme_missing", "theme")
                .arg("themes", self.themes.join("、"))),
        }
    }
}

/// Chooses the grants of a round from the ranking: best first, each funded if its price still
/// fits in what is left of the pool and fewer than `max_awards` are funded; one that does not fit
/// is passed over and the next tried (as a greedy participatory budget does), so the pool is not
/// left idle by one large application. Returns the funded ids, in ranking order.
pub fn select_awards<Id: Clone + PartialEq>(
    ranking: &[Ranked<Id>],
    price_of: impl Fn(&Id) -> i64,
    pool: i64,
    max_awards: u32,
) -> Vec<Id> {
    let mut left = pool;
    let mut out = Vec::new();
    for r in ranking {
        if out.len() >= max_awards as usize {
            break;
        }
        let p = price_of(&r.bid);
        if p > 0 && p <= left {
            left -= p;
            out.push(r.bid.clone());
        }
    }
    out
}

/// One band of a payment rule: a score of at least `min_score` pays `percent` of the final
/// instalment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentBand {
    pub min_score: u32,
    pub percent: u32,
}

/// How an evaluation sets the final payment: bands from the best down; a score below every band
/// pays nothing of the final instalment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentRule {
    pub bands: Vec<PaymentBand>,
}

impl Default for PaymentRule {
    /// 90 and above pays in full, 80 pays 90%, 70 pays 80%, 60 pays 60%, below 60 nothing. A
    /// placeholder (U): no Chengdu text ties payment to scores verbatim (chengdu-rules.md R6.7).
    fn default() -> Self {
        PaymentRule {
            bands: vec![
                PaymentBand {
                    min_score: 90,
                    percent: 100,
                },
                PaymentBand {
                    min_score: 80,
                    percent: 90,
                },
                PaymentBand {
                    min_score: 70,
                    percent: 80,
                },
                PaymentBand {
                    min_score: 60,
                    percent: 60,
                },
            ],
        }
    }
}

impl PaymentRule {
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.bands.is_empty() {
            return Err(DomainError::field("payment_rule_invalid", "payment_rule"));
        }
        for w in self.bands.windows(2) {
            if w[1].min_score >= w[0].min_score || w[1].percent > w[0].percent {
                return Err(DomainError::field("payment_rule_invalid", "payment_rule"));
            }
        }
        if self
            .bands
            .iter()
            .any(|b| b.percent > 100 || b.min_score > SCORE_SCALE)
        {
            return Err(DomainError::field("payment_rule_invalid", "payment_rule"));
        }
        Ok(())
    }

    /// The percent of the final instalment a score (0..=100) earns.
    pub fn percent_for(&self, score: u32) -> u32 {
        self.bands
            .iter()
            .find(|b| score >= b.min_score)
            .map_or(0, |b| b.percent)
    }

    /// The final instalment `amount` earns at `score`, rounded down to the fen (never overpaid).
    pub fn final_amount(&self, amount: i64, score: u32) -> i64 {
        let pct = i128::from(self.percent_for(score));
        i64::try_from(i128::from(amount) * pct / 100).unwrap_or(0)
    }
}

/// The social organisations' share of new public-service purchases for one buyer and year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ShareReport {
    /// Contract value awarded in new public-service purchases, fen.
    pub total: i64,
    /// Of which to social organisations, fen.
    pub to_social_orgs: i64,
    /// Share in hundredths of a percent (3,000 = 30.00%), rounded down.
    pub basis_points: u32,
    pub met: bool,
}

/// Sums awarded contracts `(value, awarded to a social organisation)` against the minimum share.
/// With nothing awarded the minimum is met vacuously only if it is zero.
pub fn social_org_share(awards: &[(i64, bool)], minimum: Share) -> ShareReport {
    let total: i64 = awards.iter().map(|(v, _)| *v).sum();
    let to_social_orgs: i64 = awards.iter().filter(|(_, s)| *s).map(|(v, _)| *v).sum();
    let basis_points = if total > 0 {
        u32::try_from(i128::from(to_social_orgs) * 10_000 / i128::from(total)).unwrap_or(0)
    } else {
        0
    };
    let met = if total > 0 {
        minimum.met(
            u64::try_from(to_social_orgs).unwrap_or(0),
            u64::try_from(total).unwrap_or(0),
        )
    } else {
        minimum.num == 0
    };
    ShareReport {
        total,
        to_social_orgs,
        basis_points,
        met,
    }
}
