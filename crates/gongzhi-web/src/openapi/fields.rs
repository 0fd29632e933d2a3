//! What the commands accept in a field, written into the OpenAPI document by the field's name, so
//! that a client (or a schema fuzzer) that keeps to the document is not refused for the shape of
//! what it sent. Rules that depend on other fields or on the records (an id that must exist, a
//! date after another, a category from the community's own list) cannot be written here; the
//! fuzzer's list of such operations is `crates/gongzhi/tests/schemathesis.toml`.
//!
//! Where one name is bounded differently by different commands (`reason` is 200 characters when
//! voiding a record and 2,000 when declining a project), the document states the smallest bound.

use serde_json::{Value, json};

/// Trimmed text with something visible in it: at least one character that is not a space, a
/// control character or an invisible format character (`person::clean_text` removes those).
const VISIBLE: &str = r"^[\s\S]*[^\s\x00-\x1F\x7F-\x9F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB][\s\S]*$";
/// A short label (a building, a room, a place's name): no control characters at all.
const LABEL: &str = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB][^\x00-\x1F\x7F-\x9F]*$";
/// A person's name as the schema states it: Chinese characters and Latin letters with the
/// spaces, dots and hyphens between them (the register accepts a little more).
const PERSON_NAME: &str =
    r"^[\u4E00-\u9FFFA-Za-z·. '-]*[\u4E00-\u9FFFA-Za-z][\u4E00-\u9FFFA-Za-z·. '-]*$";
/// A calendar date of this century, YYYY-MM-DD (29 February aside, every real date and no other).
const DATE: &str = r"^20[0-9]{2}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)$";
/// A minute in Beijing time, YYYY-MM-DD HH:MM.
const MINUTE: &str = r"^20[0-9]{2}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31) (?:[01][0-9]|2[0-3]):[0-5][0-9]$";
/// An hour and minute, HH:MM.
const CLOCK: &str = r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$";

/// Free text of at most `max` characters.
fn text(max: usize) -> Value {
    json!({"minLength": 1, "maxLength": max, "pattern": VISIBLE})
}

fn label(max: usize) -> Value {
    json!({"minLength": 1, "maxLength": max, "pattern": LABEL})
}

fn one_of(values: &[&str]) -> Value {
    json!({ "enum": values })
}

fn whole(min: i64, max: i64) -> Value {
    json!({"minimum": min, "maximum": max})
}

/// The constraints of the string field `name` in operation `operation`, if any are known.
pub(super) fn string(operation: &str, name: &str) -> Option<Value> {
    let keys = |xs: &[(&str, &[gongzhi_app::authz::Permission])]| {
        xs.iter().map(|(k, _)| (*k).to_string()).collect::<Vec<_>>()
    };
    Some(match (operation, name) {
        // Names that mean different things in different bodies.
        ("create_council", "kind") => one_of(gongzhi_app::councils::COUNCIL_KINDS),
        ("open_motion", "kind") => one_of(&gongzhi_domain::rulebook::MOTION_KINDS),
        ("open_election", "kind") => one_of(gongzhi_domain::election::ELECTION_KINDS),
        ("register_organisation", "kind") => json!({"enum": gongzhi_domain::procurement::ORG_KINDS
            .iter().map(|k| k.key()).collect::<Vec<_>>()}),
        ("end_seat", "reason") => one_of(gongzhi_app::elections::SEAT_END_REASONS),
        ("post_statement", "reason") => one_of(&["scheduled", "immediate"]),
        ("void_record", "reason") | ("reserve_budget", "reason") => text(200),
        (_, "reason") => text(200),
        ("sign_expense", "decision") => one_of(&["sign", "reject"]),
        ("create_account" | "grant_role", "role") => {
            json!({"enum": keys(gongzhi_app::authz::ROLES)})
        }
        ("seat_member", "seat_role") => one_of(gongzhi_app::councils::SEAT_ROLES),
        ("cast_vote", "choice") => one_of(&["yes", "no", "abstain"]),
        ("claim_project", "claimant_kind") => one_of(&gongzhi_domain::project::CLAIMANT_KINDS),
        ("open_budget_vote", "ballot_kind") => one_of(&gongzhi_domain::budget_vote::BALLOT_KINDS),
        ("set_rule", "key") => json!({"enum": gongzhi_domain::rulebook::CATALOGUE
            .iter().map(|r| r.key).collect::<Vec<_>>()}),
        ("login", "identifier") => label(64),
        // Empty removes the address; otherwise what `notify::set_email` takes.
        ("set_email", "email") => json!({
            "maxLength": 254,
            "pattern": "^$|^[^@\\s<>]+@[^@\\s<>.][^@\\s<>]*\\.[^@\\s<>.]+$",
        }),
        ("receive", "code") => one_of(&["allocation", "carry_over"]),
        // Donors give through `record_donation`, not as a receipt.
        ("receive", "source") => json!({"enum": gongzhi_app::ledger::SOURCES
            .iter().map(|(k, _, _)| *k).filter(|k| *k != "donors").collect::<Vec<_>>()}),
        (_, "code") => json!({"pattern": "^[a-z0-9-]{2,48}$"}),
        // A mobile (11 digits, 1…) or a landline with its area code (10 to 12 digits, 0…), with
        // the usual separators; +86 before a mobile.
        (_, "phone") => {
            json!({"pattern": r"^(?:(?:\+?86[ -]?)?1[0-9]{2}[ -]?[0-9]{4}[ -]?[0-9]{4}|0[0-9]{2,3}[ -]?[0-9]{7,8})$"})
        }
        ("void_record", "table") => json!({"enum": gongzhi_app::people::VOIDABLE
            .iter().map(|(t, _)| *t).collect::<Vec<_>>()}),
        ("register_resident" | "amend_resident", "name") => json!({"minLength": 1, "maxLength": 40,
            "pattern": PERSON_NAME}),
        ("login" | "change_password", "password" | "old_password") => {
            json!({"minLength": 1, "maxLength": 128})
        }
        ("create_account", "password") | ("change_password", "new_password") => {
            json!({"minLength": 8, "maxLength": 128})
        }
        // One meaning wherever they appear.
        (_, "label" | "unit" | "room" | "name_zh" | "name_en" | "display_name") => label(60),
        (_, "short_name" | "sheet") => text(20),
        (_, "donor_name" | "reference") => text(60),
        (
            _,
            "claimant" | "contractor" | "evaluator_name" | "presenter" | "supplier" | "projects",
        ) => text(80),
        (_, "title") => text(120),
        (_, "roadshow_place") => text(120),
        (_, "description" | "memo") => text(200),
        (_, "capacity") => text(300),
        (_, "business_scope" | "cofunding_source" | "comment") => text(500),
        (_, "justification" | "note" | "offer") => text(1000),
        (_, "answer" | "body" | "opinions" | "reply" | "summary") => text(2000),
        (_, "plan" | "scope") => text(4000),
        (_, "minutes") => text(50_000),
        (_, "scheduled_for" | "closes_at" | "roadshow_at") => json!({"pattern": MINUTE}),
        (_, "time") => json!({"pattern": CLOCK}),
        (_, "from" | "effective_from" | "period_start" | "period_end" | "last_day") => {
            json!({"pattern": DATE})
        }
        (_, n) if n.ends_with("_on") || n == "term_start" || n == "term_end" => {
            json!({"pattern": DATE})
        }
        _ => return None,
    })
}

/// The bounds of the whole-number field `name` in operation `operation`, if any are known.
pub(super) fn integer(operation: &str, name: &str) -> Option<Value> {
    Some(match (operation, name) {
        ("create_fund", "year") => whole(2000, 2100),
        ("rate_project", "score") => whole(1, 5),
        ("evaluate_contract", "score") => {
            whole(0, i64::from(gongzhi_domain::procurement::SCORE_SCALE))
        }
        ("schedule_series", "day") => whole(1, 28),
        ("schedule_series", "meetings") => whole(1, 24),
        ("enter_paper_sheet", "entry") => whole(1, 2),
        ("open_election", "seats") => whole(1, 99),
        ("open_call", "contract_months") => whole(1, 36),
        (_, "price" | "cofunding" | "value" | "amount") => whole(1, 100_000_000_000),
        (_, "position" | "number") => whole(1, 100_000),
        ("advance_clock", "seconds") => whole(1, 10 * 365 * 86_400),
        _ => return None,
    })
}

/// How many items an array of this name must hold, where a command refuses fewer.
pub(super) fn min_items(operation: &str, name: &str) -> Option<usize> {
    match (operation, name) {
        ("seat_panel", "members")
        | ("allocation_round", "projects")
        | ("open_call", "criteria") => Some(1),
        _ => None,
    }
}

/// What an array holds, by the array's name.
pub(super) fn items(operation: &str, name: &str) -> Option<Value> {
    if (operation, name) == ("open_budget_vote", "projects") {
        return Some(object(
            &["title", "cost_yuan"],
            json!({"title": {"type": "string"}, "cost_yuan": {"type": "string"}}),
        ));
    }
    Some(match name {
        "choices" | "needs" | "projects" | "ranking" | "candidates" => {
            json!({"type": "string", "format": "uuid"})
        }
        "photos" => json!({"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}),
        "qualifications" => json!({"type": "string", "pattern": "^[A-Z][0-9](?:-[0-9]{1,2})?$"}),
        "themes" => json!({"type": "string", "minLength": 1, "maxLength": 40, "pattern": VISIBLE}),
        // A budget ballot's mark: [the project's position on the ballot, points].
        "marks" => json!({"type": "array", "minItems": 2, "maxItems": 2,
            "prefixItems": [{"type": "integer", "minimum": 0, "maximum": 1000},
                            {"type": "integer", "minimum": 1, "maximum": 1_000_000}],
            "items": false}),
        "members" => object(
            &["account_id", "name"],
            json!({"account_id": {"type": "string", "format": "uuid"},
                   "name": {"type": "string"},
                   "ties": {"type": "array", "items": {"type": "string", "format": "uuid"}}}),
        ),
        "panel" => object(
            &["name", "role"],
            json!({"name": {"type": "string"},
                   "role": {"type": "string", "enum": gongzhi_domain::project::PANEL_ROLES},
                   "score": {"type": "integer", "minimum": 0, "maximum": 100}}),
        ),
        "criteria" => closed(object(
            &["key", "zh", "en", "weight"],
            json!({"key": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,31}$"},
                   "zh": {"type": "string"}, "en": {"type": "string"},
                   "weight": {"type": "integer", "minimum": 1, "maximum": 100}}),
        )),
        "items" => object(
            &["kind", "title"],
            json!({"kind": {"type": "string", "enum": ["milestone", "deliverable"]},
                   "catalogue_code": {"type": "string"},
                   "title": {"type": "string"},
                   "due_on": {"type": "string"},
                   "amount": {"type": "integer", "minimum": 0},
                   "final_payment": {"type": "boolean"}}),
        ),
        "eligible_kinds" => json!({"type": "string", "enum": gongzhi_domain::procurement::ORG_KINDS
            .iter().map(|k| k.key()).collect::<Vec<_>>()}),
        _ => return None,
    })
}

/// An object with these properties (refined by name like any other).
fn object(required: &[&str], properties: Value) -> Value {
    json!({"type": "object", "required": required, "properties": properties})
}

/// The same object, refusing properties it does not name.
fn closed(mut object: Value) -> Value {
    object["additionalProperties"] = json!(false);
    object
}

/// The schema of an object field, by its name.
pub(super) fn object_field(name: &str) -> Option<Value> {
    Some(match name {
        "scores" => json!({"additionalProperties": {"type": "integer", "minimum": 0,
            "maximum": gongzhi_domain::procurement::SCORE_SCALE}}),
        "round" => object(
            &["themes", "max_awards"],
            json!({"themes": {"type": "array", "minItems": 1, "maxItems": 12},
                   "max_awards": {"type": "integer", "minimum": 1, "maximum": 100},
                   "roadshow_at": {"type": "string"},
                   "roadshow_place": {"type": "string"}}),
        ),
        "payment_rule" => closed(object(
            &["bands"],
            json!({"bands": {"type": "array", "items": closed(object(
                &["min_score", "percent"],
                json!({"min_score": {"type": "integer", "minimum": 0, "maximum": 100},
                       "percent": {"type": "integer", "minimum": 0, "maximum": 100}}),
            ))}}),
        )),
        _ => return None,
    })
}

/// The query parameters of a listing: name, whether required, schema.
pub(super) fn query(operation: &str) -> Vec<(&'static str, bool, Value)> {
    let uuid = || json!({"type": "string", "format": "uuid"});
    let limit = |max: i64| json!({"type": "integer", "minimum": 1, "maximum": max});
    let before = || json!({"type": "integer", "minimum": 0});
    match operation {
        "list_residents" => vec![("limit", false, limit(10_000))],
        "list_needs" => vec![
            (
                "status",
                false,
                json!({"type": "string", "enum": gongzhi_domain::project::NEED_STATUSES}),
            ),
            (
                "channel",
                false,
                json!({"type": "string", "enum": gongzhi_domain::project::NEED_CHANNELS}),
            ),
            ("place", false, uuid()),
            ("overdue", false, json!({"type": "string", "enum": ["1"]})),
            ("before", false, before()),
            ("limit", false, limit(500)),
        ],
        "list_projects" => vec![("before", false, before()), ("limit", false, limit(500))],
        "directory" => vec![
            ("at", true, uuid()),
            ("after", false, uuid()),
            ("limit", false, limit(500)),
        ],
        "social_org_share" => vec![
            ("buyer", true, uuid()),
            (
                "year",
                true,
                json!({"type": "integer", "minimum": 2000, "maximum": 2100}),
            ),
        ],
        _ => Vec::new(),
    }
}
