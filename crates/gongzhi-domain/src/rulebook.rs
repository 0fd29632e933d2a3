//! Rules as data. Each rule has a key, a typed value (validated from JSON), documentation in
//! Chinese and English, and a default taken from the seeds. Rule values are stored as immutable
//! versions per jurisdiction with an effective date; the value in force for a jurisdiction is the
//! nearest ancestor's latest version effective on the date asked about (inheritance downward with
//! overrides). A process pins the rulebook by remembering the instant it opened: versions recorded
//! later are invisible to it, so its rules never change under it.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Weekday};

use crate::DomainError;
use crate::threshold::Threshold;
use crate::time::{Instant, format_date, parse_date};

/// How long a public notice (公示) runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticePeriod {
    pub days: u32,
    pub counting: DayCounting,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayCounting {
    Calendar,
    Working,
}

/// Council size limits (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SizeRange {
    pub min: u32,
    pub max: Option<u32>,
}

/// The official calendar: public holidays (rest days) and adjusted working weekends (调休上班).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    #[serde(default)]
    pub holidays: Vec<String>,
    #[serde(default)]
    pub workdays: Vec<String>,
}

impl Calendar {
    fn validate(&self) -> Result<(), DomainError> {
        for d in self.holidays.iter().chain(&self.workdays) {
            if parse_date(d).is_none() {
                return Err(DomainError::new("rule_bad_date").arg("value", d));
            }
        }
        Ok(())
    }

    pub fn is_working_day(&self, date: Date) -> bool {
        let text = format_date(date);
        if self.workdays.contains(&text) {
            return true;
        }
        if self.holidays.contains(&text) {
            return false;
        }
        !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
    }
}

impl NoticePeriod {
    /// The last day of a notice posted on `posted`. As in the Civil Code (arts. 201 and 203), the day
    /// of posting does not count; a calendar-day period whose last day is a rest day runs to the next
    /// working day; a working-day period counts working days only.
    pub fn last_day(&self, posted: Date, calendar: &Calendar) -> Date {
        let mut day = posted;
        match self.counting {
            DayCounting::Calendar => {
                day = posted.saturating_add(Duration::days(i64::from(self.days)));
                while !calendar.is_working_day(day) {
                    day = day.saturating_add(Duration::days(1));
                }
            }
            DayCounting::Working => {
                let mut counted = 0;
                while counted < self.days {
                    day = day.saturating_add(Duration::days(1));
                    if calendar.is_working_day(day) {
                        counted += 1;
                    }
                }
            }
        }
        day
    }
}

/// A typed rule value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleValue {
    NoticePeriod(NoticePeriod),
    CouncilSize(SizeRange),
    Threshold(Threshold),
    Calendar(Calendar),
    Flag(bool),
    Template(String),
    Signoff(crate::ledger::SignoffChain),
    Disclosure(crate::ledger::DisclosureSchedule),
    Shares(crate::ledger::AllocationShares),
    Pipeline(crate::project::Pipeline),
    Lists(crate::project::Lists),
    Allocation(crate::project::AllocationRule),
    Election(crate::election::ElectionRule),
    Procurement(crate::procurement::ProcurementRule),
    Catalogue(crate::procurement::Catalogue),
    BudgetVote(crate::budget_vote::BudgetVoteRule),
    OfficeAppointment(crate::office::AppointmentRule),
}

impl RuleValue {
    pub fn to_json(&self) -> serde_json::Value {
        let v = match self {
            RuleValue::NoticePeriod(v) => serde_json::to_value(v),
            RuleValue::CouncilSize(v) => serde_json::to_value(v),
            RuleValue::Threshold(v) => serde_json::to_value(v),
            RuleValue::Calendar(v) => serde_json::to_value(v),
            RuleValue::Flag(v) => serde_json::to_value(v),
            RuleValue::Template(v) => serde_json::to_value(v),
            RuleValue::Signoff(v) => serde_json::to_value(v),
            RuleValue::Disclosure(v) => serde_json::to_value(v),
            RuleValue::Shares(v) => serde_json::to_value(v),
            RuleValue::Pipeline(v) => serde_json::to_value(v),
            RuleValue::Lists(v) => serde_json::to_value(v),
            RuleValue::Allocation(v) => serde_json::to_value(v),
            RuleValue::Election(v) => serde_json::to_value(v),
            RuleValue::Procurement(v) => serde_json::to_value(v),
            RuleValue::Catalogue(v) => serde_json::to_value(v),
            RuleValue::BudgetVote(v) => serde_json::to_value(v),
            RuleValue::OfficeAppointment(v) => serde_json::to_value(v),
        };
        v.unwrap_or(serde_json::Value::Null)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    NoticePeriod,
    CouncilSize,
    Threshold,
    Calendar,
    /// `true` or `false`.
    Flag,
    /// A text with `{placeholders}`.
    Template,
    /// An expense sign-off chain (steps of signer groups) and its window in days.
    Signoff,
    /// The financial disclosure schedule.
    Disclosure,
    /// How an allocation is shared between paying budgets.
    Shares,
    /// The steps a project walks.
    Pipeline,
    /// The priority and prohibited lists.
    Lists,
    /// How a fund is shared between approved projects when it cannot pay for all.
    Allocation,
    /// When an election is valid and when a candidate is elected.
    Election,
    /// Government purchase of services: applicants, co-funding, contract terms, the social
    /// organisations' share.
    Procurement,
    /// The three-level purchase catalogue.
    Catalogue,
    /// How a resident-wide budget vote is counted, and who has a ballot.
    BudgetVote,
    /// Who records the offices that sign money, and how far back a term may start.
    OfficeAppointment,
}

/// One entry of the rule catalogue: what a key means and where its default comes from.
#[derive(Debug, Clone, Copy)]
pub struct RuleSpec {
    pub key: &'static str,
    pub kind: RuleKind,
    pub zh: &'static str,
    pub en: &'static str,
    /// The default as JSON, written into the city's rulebook by `gongzhi init`.
    pub default: &'static str,
    /// Where the default comes from, with its evidence grade (chengdu-rules.md §0).
    pub source: &'static str,
}

/// The kinds of motion a council votes on; each has its own threshold rule.
pub const MOTION_KINDS: [&str; 5] = [
    "project_approval",
    "convention",
    "rule_change",
    "election",
    "general",
];

/// The State Council's holiday arrangements from 2020 to 2026, as published (each year's
/// 国务院办公厅关于某年部分节假日安排的通知, and the 2020 notice extending the Spring Festival to
/// 2 February): every day off of each holiday period and every adjusted working weekend.
/// `tests/it/calendar.rs` checks it against an independent copy (PyPI's `chinese-calendar`).
pub const OFFICIAL_CALENDAR: &str = include_str!("../data/calendar-official.json");

/// The rule catalogue. Adding a rule is adding a line here; its values live in the database.
pub const CATALOGUE: &[RuleSpec] = &[
    RuleSpec {
        key: "notice.period",
        kind: RuleKind::NoticePeriod,
        zh: "公示期：天数，按自然日或工作日计算",
        en: "Public notice period: number of days, counted as calendar or working days",
        default: r#"{"days":7,"counting":"calendar"}"#,
        source: "seed 002: resolutions posted for one week (A)",
    },
    RuleSpec {
        key: "calendar.official",
        kind: RuleKind::Calendar,
        zh: "法定节假日与调休上班日（YYYY-MM-DD）",
        en: "Official public holidays and adjusted working weekends (YYYY-MM-DD)",
        default: OFFICIAL_CALENDAR,
        source: "国务院办公厅关于2020年至2026年部分节假日安排的通知 (one a year) and 国务院办公厅关于延长2020年春节假期的通知, as published; checked against PyPI's chinese-calendar; a later year's notice is entered by the city as a new version until a release ships it (A)",
    },
    RuleSpec {
        key: "council.size.courtyard",
        kind: RuleKind::CouncilSize,
        zh: "院落议事会人数",
        en: "Courtyard council size",
        default: r#"{"min":3,"max":null}"#,
        source: "seed 002: at least 3 members per courtyard council (A)",
    },
    RuleSpec {
        key: "council.size.resident_group",
        kind: RuleKind::CouncilSize,
        zh: "居民小组议事会人数",
        en: "Resident-group council size",
        default: r#"{"min":3,"max":null}"#,
        source: "seed 002: 北苑 group council has 5 members; minimum 3 (A)",
    },
    RuleSpec {
        key: "council.size.community",
        kind: RuleKind::CouncilSize,
        zh: "社区议事会人数",
        en: "Community council size",
        default: r#"{"min":5,"max":null}"#,
        source: "seed 002: 晋阳 community council has 37 members; minimum is a placeholder (U)",
    },
    RuleSpec {
        key: "council.quorum",
        kind: RuleKind::Threshold,
        zh: "议事会会议法定人数（占在任成员的比例）",
        en: "Council quorum (share of seated members present)",
        default: r#"{"num":2,"den":3,"base":"seated","bound":"at_least"}"#,
        source: "national 村民代表会议 rule: 2/3 of members present (N)",
    },
    RuleSpec {
        key: "council.extraordinary_request",
        kind: RuleKind::Threshold,
        zh: "提请召开临时会议所需的成员比例",
        en: "Share of members whose request calls an extraordinary meeting",
        default: r#"{"num":1,"den":5,"base":"seated","bound":"at_least"}"#,
        source: "national 村民代表会议 rule: one fifth of representatives may demand a meeting (N)",
    },
    RuleSpec {
        key: "election.rule",
        kind: RuleKind::Election,
        zh: "议事会选举：投票人数占选民的比例（选举有效），得票占投票人数的比例（当选）",
        en: "Council elections: ballots cast as a share of the electorate (for the election to be valid), and votes as a share of ballots cast (to be elected)",
        default: r#"{"turnout":{"num":1,"den":2,"bound":"more_than"},"winner":{"num":1,"den":2,"bound":"more_than"}}"#,
        source: "村民委员会组织法 art. 15 (more than half vote; elected with more than half of the ballots), by analogy; no Chengdu council text found (N)",
    },
    RuleSpec {
        key: "vote.recused_in_base",
        kind: RuleKind::Flag,
        zh: "回避表决的成员是否计入表决基数",
        en: "Whether recused members count in a vote's base",
        default: "false",
        source: "not found in Chengdu texts; recused members leave the base (U)",
    },
    RuleSpec {
        key: "resolution.number_template",
        kind: RuleKind::Template,
        zh: "决议编号格式（{council} 议事会简称，{year} 年份，{n} 序号）",
        en: "Resolution number format ({council} short name, {year}, {n} sequence)",
        default: r#""{council}议〔{year}〕{n}号""#,
        source: "usual form of Chinese document numbers (C)",
    },
    RuleSpec {
        key: "vote.threshold.project_approval",
        kind: RuleKind::Threshold,
        zh: "项目审议通过票数",
        en: "Votes needed to approve a project",
        default: r#"{"num":2,"den":3,"base":"seated","bound":"at_least"}"#,
        source: "seed 002: at least 2/3 of all seated members (A)",
    },
    RuleSpec {
        key: "vote.threshold.convention",
        kind: RuleKind::Threshold,
        zh: "公约通过票数",
        en: "Votes needed to adopt or revise a convention",
        default: r#"{"num":2,"den":3,"base":"seated","bound":"at_least"}"#,
        source: "same as project approval by default (U)",
    },
    RuleSpec {
        key: "vote.threshold.rule_change",
        kind: RuleKind::Threshold,
        zh: "议事规则修改通过票数",
        en: "Votes needed to change the council's rules",
        default: r#"{"num":2,"den":3,"base":"seated","bound":"at_least"}"#,
        source: "placeholder (U)",
    },
    RuleSpec {
        key: "vote.threshold.election",
        kind: RuleKind::Threshold,
        zh: "选举当选票数",
        en: "Votes needed to be elected",
        default: r#"{"num":1,"den":2,"base":"cast","bound":"more_than"}"#,
        source: "national rule for village committees: more than half of votes cast (N)",
    },
    RuleSpec {
        key: "vote.threshold.general",
        kind: RuleKind::Threshold,
        zh: "一般事项通过票数",
        en: "Votes needed for a general motion",
        default: r#"{"num":1,"den":2,"base":"present","bound":"more_than"}"#,
        source: "national 村民代表会议 rule: majority of those present (N)",
    },
    RuleSpec {
        key: "expense.signoff",
        kind: RuleKind::Signoff,
        zh: "报账签批流程：依次各步骤的签批人（监事会全体成员、社区居委会主任、党组织书记会签、会计），及保留期限（天）",
        en: "Expense sign-off chain: the signers of each step in order (every supervisory-board member, the committee director, the party secretary co-signing, the accountant) and how many days money may stay on hold",
        default: r#"{"steps":[{"signers":["supervisory_board"],"all":true},{"signers":["committee_director"],"all":true},{"signers":["accountant"],"all":false}],"window_days":30}"#,
        source: "seed 003 (丰南): every supervision-committee member signs before settlement (A); director approval and accountant entry from the provincial analogue (C); window placeholder (U)",
    },
    RuleSpec {
        key: "disclosure.schedule",
        kind: RuleKind::Disclosure,
        zh: "财务公开：周期（月），业务较多时按月公开的笔数门槛，单笔即时公开的金额门槛（分）",
        en: "Financial disclosure: period in months, the number of posted items above which statements become monthly, and the single-item amount (fen) disclosed at once",
        default: r#"{"period_months":3,"busy_over":30,"immediate_over_fen":5000000}"#,
        source: "national rule: at least quarterly, monthly when busy, major matters at once (N); the two thresholds are placeholders (U)",
    },
    RuleSpec {
        key: "fund.allocation_shares",
        kind: RuleKind::Shares,
        zh: "保障资金拨付的分担比例（按资金来源：市级、区县、街道……）",
        en: "How a fund allocation is shared between paying budgets (by source: city, district, street…)",
        default: r#"{"parts":[{"source":"city","share":1},{"source":"district","share":1}]}"#,
        source: "R6: city and county budgets share the cost 按一定比例 (A); the ratios were not found, 1:1 is a placeholder (U)",
    },
    RuleSpec {
        key: "project.pipeline",
        kind: RuleKind::Pipeline,
        zh: "项目流程：项目依次经过的步骤（清单审查、小组议事会决议及公示、社区议事会路演表决、资金分配、确定实施方、实施、验收、决算、公开、满意度评价）",
        en: "Project pipeline: the steps every project walks in order (screening, group council resolution and notice, community council roadshow and vote, allocation, implementer, implementation, acceptance, close-out, disclosure, satisfaction rating)",
        default: r#"{"steps":[{"id":"screening","kind":"screening"},{"id":"group_resolution","kind":"council_decision","council":"nearest"},{"id":"roadshow","kind":"council_decision","council":"community","roadshow":true,"notice":false},{"id":"allocation","kind":"allocation"},{"id":"implementer","kind":"implementer_selection","min_quotes":3},{"id":"implementation","kind":"implementation"},{"id":"acceptance","kind":"acceptance"},{"id":"close_out","kind":"close_out"},{"id":"disclosure","kind":"disclosure"},{"id":"rating","kind":"rating","days":30}]}"#,
        source: "seed 002: group council → one-week notice → community roadshow at 2/3 of seated → implementation → acceptance → close-out (A); R28/R29 lists and five-step method (A); three quotes from R42 (A, one district); rating window placeholder (U)",
    },
    RuleSpec {
        key: "project.lists",
        kind: RuleKind::Lists,
        zh: "优先保障项目清单与严格禁止项目清单（类别、说明、识别用词）",
        en: "Priority and prohibited lists (category, what the rule says, words that betray it)",
        default: r#"{"priority":[{"category":"party_service","zh":"党组织服务群众","en":"Party organisation serving residents"},{"category":"resident_quality","zh":"社区居民素质提升","en":"Residents' learning and skills"},{"category":"volunteering","zh":"社区志愿服务","en":"Community volunteering"},{"category":"environment","zh":"社区和院落生态环境整治","en":"Community and courtyard environment"},{"category":"community_building","zh":"社区总体营造","en":"Community building"},{"category":"infrastructure","zh":"基础设施建设","en":"Infrastructure"}],"prohibited":[{"category":"private_costs","zh":"居民私域费用应由居民自行承担，不得使用资金（如物业管理费）","en":"Residents' private costs are theirs to pay, never the fund's (e.g. property-management fees)","words":["物业费","物管费","物业管理费"]},{"category":"responsible_party","zh":"有责任主体的费用由责任主体承担（如公房维修）","en":"Costs with a responsible party are that party's (e.g. repairs of public housing)","words":["公房维修"]},{"category":"staff_pay","zh":"不得用于政府职能和社区工作人员待遇（办事不养人）","en":"Never government functions or community staff pay (办事不养人)","words":["工作人员待遇","工作人员补贴","人员工资","工资"]}]}"#,
        source: "R29 (都江堰 2022): the three negative-list principles and the urban priority list (A); R4.3 办事不养人 (A); the words are ours (U)",
    },
    RuleSpec {
        key: "allocation.rule",
        kind: RuleKind::Allocation,
        zh: "资金不足以支持全部通过项目时的分配规则：按赞成票数（greedy_votes）、按议事会排序（council_ranking）或按平等份额法（equal_shares，议事会成员的赞成票，余款按票数补足）",
        en: "How the fund is shared when approved projects cost more than it holds: by yes-votes (greedy_votes), by the council's ranking (council_ranking), or by equal shares of the members' yes votes, completed by votes (equal_shares)",
        default: r#""greedy_votes""#,
        source: "issue 5: greedy by yes-votes, ties by earlier submission, until the PB engine is chosen per community (U)",
    },
    RuleSpec {
        key: "budget_vote.rule",
        kind: RuleKind::BudgetVote,
        zh: "居民投票决定资金用途：计票规则（greedy_cost 按票数；mes_cost_then_greedy_cost 平等份额法并以票数补足等）与投票单位（每位居民 resident／每户 household）",
        en: "Resident-wide budget votes: the counting rule (greedy_cost: by votes; mes_cost_then_greedy_cost: equal shares completed by votes; any rule of the PB engine) and who holds a ballot (each resident, or each household)",
        default: r#"{"rule":"greedy_cost","per":"resident"}"#,
        source: "issue 7: the sources describe resident votes on the fund (seed 002) but not the counting rule; greedy by votes is what cities most often use (Pabulib), one ballot per resident (U)",
    },
    RuleSpec {
        key: "procurement.rules",
        kind: RuleKind::Procurement,
        zh: "政府购买服务：最少申报单位数、最低配套资金比例、合同期限（一般／服务稳定时，月）、向社会组织购买的最低比例",
        en: "Government purchase of services: fewest applicants, minimum co-funding share, contract term (normal / stable service, months), social organisations' minimum share",
        default: r#"{"min_bidders":3,"min_cofunding":{"num":0,"den":1,"bound":"at_least"},"max_months":12,"stable_max_months":36,"social_org_share":{"num":3,"den":10,"bound":"at_least"}}"#,
        source: "R6.6: at least 3 applicants per project at community level (A), co-funding 10% in one district only (A, set per district); R6.5 财政部令第102号 art. 24: 1 year, 3 when stable (N); R6.4 财综〔2016〕54号: 30% (N)",
    },
    RuleSpec {
        key: "procurement.catalogue",
        kind: RuleKind::Catalogue,
        zh: "政府购买服务指导目录（三级：类、款、项）",
        en: "Purchase catalogue (three levels: class, group, item)",
        default: r#"{"items":[{"code":"A","zh":"基本公共服务事项","en":"Basic public services"},{"code":"A2","zh":"公共就业","en":"Public employment"},{"code":"A2-8","zh":"社区就业帮扶","en":"Community employment support"},{"code":"A6","zh":"养老服务","en":"Elderly care"},{"code":"A6-1","zh":"居家养老服务","en":"Home care for the elderly"},{"code":"A6-2","zh":"老年助餐服务","en":"Meals for the elderly"},{"code":"B","zh":"社会管理性服务","en":"Social administration services"},{"code":"B3","zh":"社区治理服务","en":"Community governance services"},{"code":"B3-1","zh":"社区服务站公共服务事项承接","en":"Running a community service station's public-service items"},{"code":"B3-2","zh":"社区营造","en":"Community building"},{"code":"B3-3","zh":"志愿服务组织与培育","en":"Volunteer services and incubation"},{"code":"B3-4","zh":"社区文化活动","en":"Community cultural activities"}]}"#,
        source: "R6.2 (A): the three-level form and A → A2 公共就业 → A2-8 社区就业帮扶; the other entries are illustrative placeholders (U) until the catalogue is loaded",
    },
    RuleSpec {
        key: "need.reply_period",
        kind: RuleKind::NoticePeriod,
        zh: "需求答复期限：收到需求后多少天内答复居民",
        en: "Reply period for a need: within how many days the resident is answered",
        default: r#"{"days":5,"counting":"working"}"#,
        source: "placeholder (U): no Chengdu rule for replying to a need was found",
    },
    RuleSpec {
        key: "office.appointment",
        kind: RuleKind::OfficeAppointment,
        zh: "签批资金的职务由谁记录（街道、区等层级，或仅由选举产生），任期最多可向前追溯的天数；任何人不得为自己记录职务",
        en: "Who records the offices that sign money (the body at a level such as the street or district, or election only) and how many days back a term may start; nobody records an office for themselves",
        default: r#"{"recorded_by":{"committee_director":"street","accountant":"street","party_secretary":"street","custodian":"street","supervisor":"election"},"backdate_days":7}"#,
        source: "居委会主任 elected and filed with the street, accountants appointed by the street's 财政所 under 村(居)账街管 (C); supervisors elected by the residents (seed 003, A); backdate window placeholder (U)",
    },
];

pub fn spec(key: &str) -> Option<&'static RuleSpec> {
    CATALOGUE.iter().find(|s| s.key == key)
}

/// Parses and validates a rule value for `key`. Unknown keys and fields are refused.
pub fn parse_value(key: &str, json: &str) -> Result<RuleValue, DomainError> {
    let spec =
        spec(key).ok_or_else(|| DomainError::field("rule_unknown_key", "key").arg("key", key))?;
    let bad = |e: serde_json::Error| {
        DomainError::field("rule_bad_value", "value")
            .arg("key", key)
            .arg("detail", e.to_string())
    };
    let value = match spec.kind {
        RuleKind::NoticePeriod => {
            let v: NoticePeriod = serde_json::from_str(json).map_err(bad)?;
            if v.days == 0 || v.days > 366 {
                return Err(DomainError::field("rule_out_of_range", "value").arg("key", key));
            }
            RuleValue::NoticePeriod(v)
        }
        RuleKind::CouncilSize => {
            let v: SizeRange = serde_json::from_str(json).map_err(bad)?;
            if v.min == 0 || v.max.is_some_and(|max| max < v.min) {
                return Err(DomainError::field("rule_out_of_range", "value").arg("key", key));
            }
            RuleValue::CouncilSize(v)
        }
        RuleKind::Threshold => {
            let v: Threshold = serde_json::from_str(json).map_err(bad)?;
            v.validate()?;
            check_threshold_base(key, &v)?;
            RuleValue::Threshold(v)
        }
        RuleKind::Calendar => {
            let v: Calendar = serde_json::from_str(json).map_err(bad)?;
            v.validate()?;
            RuleValue::Calendar(v)
        }
        RuleKind::Flag => RuleValue::Flag(serde_json::from_str(json).map_err(bad)?),
        RuleKind::Signoff => {
            let v: crate::ledger::SignoffChain = serde_json::from_str(json).map_err(bad)?;
            v.validate()?;
            RuleValue::Signoff(v)
        }
        RuleKind::Disclosure => {
            let v: crate::ledger::DisclosureSchedule = serde_json::from_str(json).map_err(bad)?;
            v.validate()?;
            RuleValue::Disclosure(v)
        }
        RuleKind::Shares => {
            let v: crate::ledger::AllocationShares = serde_json::from_str(json).map_err(bad)?;
            v.validate()?;
            RuleValue::Shares(v)
        }
        RuleKind::Pipeline => {
            let v: crate::project::Pipeline = serde_json::from_str(json).map_err(bad)?;
            v.validate()?;
            RuleValue::Pipeline(v)
        }
        RuleKind::Lists => {
            let v: crate::project::Lists = serde_json::from_str(json).map_err(bad)?;
            v.validate()?;
            RuleValue::Lists(v)
        }
        RuleKind::Allocation => RuleValue::Allocation(serde_json::from_str(json).map_err(bad)?),
        RuleKind::Election => {
            let v: crate::election::ElectionRule = serde_json::from_str(json).map_err(bad)?;
            v.validate()?;
            RuleValue::Election(v)
        }
        RuleKind::Procurement => {
            let v: crate::procurement::ProcurementRule = serde_json::from_str(json).map_err(bad)?;
            v.validate()?;
            RuleValue::Procurement(v)
        }
        RuleKind::Catalogue => {
            let v: crate::procurement::Catalogue = serde_json::from_str(json).map_err(bad)?;
            v.validate()?;
            RuleValue::Catalogue(v)
        }
        RuleKind::BudgetVote => {
            let v: crate::budget_vote::BudgetVoteRule = serde_json::from_str(json).map_err(bad)?;
            v.validate()?;
            RuleValue::BudgetVote(v)
        }
        RuleKind::OfficeAppointment => {
            let v: crate::office::AppointmentRule = serde_json::from_str(json).map_err(bad)?;
            v.validate()?;
            RuleValue::OfficeAppointment(v)
        }
        RuleKind::Template => {
            let v: String = serde_json::from_str(json).map_err(bad)?;
            // A resolution number must at least carry the sequence number.
            if !v.contains("{n}") || v.chars().count() > 80 {
                return Err(DomainError::field("rule_out_of_range", "value").arg("key", key));
            }
            RuleValue::Template(v)
        }
    };
    Ok(value)
}

/// One stored version of a rule.
#[derive(Debug, Clone)]
pub struct RuleVersion {
    pub jurisdiction_depth: usize,
    pub effective_from: Date,
    pub recorded_at: Instant,
    pub value_json: String,
}

/// Picks the version in force: nearest jurisdiction first (depth 0 is the jurisdiction itself),
/// then the latest effective date on or before `on`, then the latest recorded, ignoring versions
/// recorded after `pinned_at`.
pub fn resolve(versions: &[RuleVersion], on: Date, pinned_at: Instant) -> Option<&RuleVersion> {
    versions
        .iter()
        .filter(|v| v.effective_from <= on && v.recorded_at <= pinned_at)
        .min_by(|a, b| {
            a.jurisdiction_depth
                .cmp(&b.jurisdiction_depth)
                .then(b.effective_from.cmp(&a.effective_from))
                .then(b.recorded_at.cmp(&a.recorded_at))
        })
}

/// Rules that only make sense with a particular base are checked here.
pub fn check_threshold_base(key: &str, t: &Threshold) -> Result<(), DomainError> {
    if matches!(key, "council.quorum" | "council.extraordinary_request")
        && t.base != crate::threshold::Base::Seated
    {
        return Err(DomainError::field("rule_out_of_range", "value").arg("key", key));
    }
    Ok(())
}

/// The default threshold, used by tests and docs; real lookups go through the stored rulebook.
pub fn default_threshold(kind: &str) -> Option<Threshold> {
    let spec = spec(&format!("vote.threshold.{kind}"))?;
    match parse_value(spec.key, spec.default).ok()? {
        RuleValue::Threshold(t) => Some(t),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn every_default_parses() {
        for spec in CATALOGUE {
            parse_value(spec.key, spec.default).unwrap_or_else(|e| panic!("{}: {e}", spec.key));
        }
        for kind in MOTION_KINDS {
            assert!(default_threshold(kind).is_some(), "{kind}");
        }
    }

    #[test]
    fn bad_values_are_refused_with_a_reason() {
        assert_eq!(
            parse_value("nope", "{}").unwrap_err().code.0,
            "rule_unknown_key"
        );
        assert_eq!(
            parse_value("notice.period", r#"{"days":7,"counting":"lunar"}"#)
                .unwrap_err()
                .code
                .0,
            "rule_bad_value"
        );
        assert_eq!(
            parse_value("notice.period", r#"{"days":7,"counting":"calendar","x":1}"#)
                .unwrap_err()
                .code
                .0,
            "rule_bad_value"
        );
        assert_eq!(
            parse_value("notice.period", r#"{"days":0,"counting":"calendar"}"#)
                .unwrap_err()
                .code
                .0,
            "rule_out_of_range"
        );
        assert_eq!(
            parse_value("council.size.courtyard", r#"{"min":5,"max":3}"#)
                .unwrap_err()
                .code
                .0,
            "rule_out_of_range"
        );
        assert_eq!(
            parse_value("calendar.official", r#"{"holidays":["2026-13-01"]}"#)
                .unwrap_err()
                .code
                .0,
            "rule_bad_date"
        );
    }

    #[test]
    fn notice_days_follow_the_calendar() {
        let cal = Calendar {
            holidays: vec![
                "2026-10-01".into(),
                "2026-10-02".into(),
                "2026-10-05".into(),
            ],
            workdays: vec!["2026-10-10".into()],
        };
        let week = NoticePeriod {
            days: 7,
            counting: DayCounting::Calendar,
        };
        // Posted Tuesday 2026-11-10: seven days later is Tuesday the 17th.
        assert_eq!(
            week.last_day(date!(2026 - 11 - 10), &cal),
            date!(2026 - 11 - 17)
        );
        // Posted Monday 2026-11-09: the 16th is a Monday; posted Saturday 11-07 → 11-14 is a Saturday → Monday 11-16.
        assert_eq!(
            week.last_day(date!(2026 - 11 - 07), &cal),
            date!(2026 - 11 - 16)
        );
        // Ending on a holiday runs on: posted 2026-09-24 → 10-01 holiday, 10-02 holiday, 10-03/04 weekend, 10-05 holiday → 10-06.
        assert_eq!(
            week.last_day(date!(2026 - 09 - 24), &cal),
            date!(2026 - 10 - 06)
        );
        let five_working = NoticePeriod {
            days: 5,
            counting: DayCounting::Working,
        };
        // Posted Friday 2026-10-09: working days 10-10 (adjusted Saturday), 12, 13, 14, 15.
        assert_eq!(
            five_working.last_day(date!(2026 - 10 - 09), &cal),
            date!(2026 - 10 - 15)
        );
    }

    #[test]
    fn nearest_jurisdiction_then_latest_effective_then_pin() {
        let v = |depth, eff: Date, rec, json: &str| RuleVersion {
            jurisdiction_depth: depth,
            effective_from: eff,
            recorded_at: Instant::from_micros(rec),
            value_json: json.into(),
        };
        let versions = vec![
            v(2, date!(2020 - 01 - 01), 1, "city"),
            v(1, date!(2026 - 01 - 01), 2, "district-2026"),
            v(1, date!(2027 - 01 - 01), 3, "district-2027"),
            v(0, date!(2026 - 06 - 01), 10, "community-late"),
        ];
        let pick = |on, pin| {
            resolve(&versions, on, Instant::from_micros(pin)).map(|v| v.value_json.as_str())
        };
        assert_eq!(pick(date!(2025 - 05 - 01), 100), Some("city"));
        assert_eq!(pick(date!(2026 - 05 - 01), 100), Some("district-2026"));
        assert_eq!(pick(date!(2026 - 07 - 01), 100), Some("community-late"));
        // A process opened before the community override was recorded keeps the district rule.
        assert_eq!(pick(date!(2026 - 07 - 01), 5), Some("district-2026"));
        assert_eq!(pick(date!(2019 - 01 - 01), 100), None);
    }
}
