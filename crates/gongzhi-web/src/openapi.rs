//! The OpenAPI 3.1 document of `/api/v1`. It is built from the same route table the router uses
//! (`api::ROUTES`), so a route cannot exist without being documented (a test checks both ways).

use serde_json::{Map, Value, json};

use crate::api::all_routes;

mod fields;

/// Operations whose body is a file, sent as is (a spreadsheet, a photo or a PDF).
const RAW_BODY_OPERATIONS: &[(&str, &[&str])] = &[
    (
        "import_residents",
        &[
            "text/csv",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ],
    ),
    (
        "import_needs",
        &[
            "text/csv",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ],
    ),
    (
        "import_vouchers",
        &[
            "text/csv",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ],
    ),
    ("upload", &["image/jpeg", "image/png", "application/pdf"]),
];

/// Amounts in yuan as people write them (18000, 18,000.00): the API's money fields.
const MONEY_FIELDS: &[&str] = &[
    "amount",
    "settle_amount",
    "reserved",
    "total",
    "fund",
    "cofunding",
    "other",
    "approved_fund",
    "budget",
    "contract_amount",
    "budget_yuan",
    "cost_yuan",
];
const YUAN_PATTERN: &str = r"^(?:[0-9]{1,3}(?:,[0-9]{3}){1,4}|[0-9]{1,13})(?:\.[0-9]{1,2})?$";
/// The same, above zero: the amounts a command refuses at 0 (all money fields but these).
const POSITIVE_YUAN_PATTERN: &str = r"^(?:(?:[1-9][0-9]{0,12}|[1-9][0-9]{0,2}(?:,[0-9]{3}){1,4})(?:\.[0-9]{1,2})?|0\.(?:[1-9][0-9]?|0[1-9]))$";
const MAY_BE_ZERO: &[&str] = &["cofunding", "other", "settle_amount"];

/// The values a field of this name takes wherever it appears, from the same lists the commands
/// check (a name that means different things in different bodies, such as `kind`, is not here).
fn enum_of(name: &str) -> Option<Vec<String>> {
    let list = |xs: &[&str]| Some(xs.iter().map(|x| x.to_string()).collect());
    match name {
        "programme" => list(gongzhi_app::ledger::PROGRAMMES),
        "source" => Some(
            gongzhi_app::ledger::SOURCES
                .iter()
                .map(|(k, _, _)| k.to_string())
                .collect(),
        ),
        "office" => list(gongzhi_app::accounts::OFFICES),
        "relation" => list(gongzhi_app::councils::RELATIONS),
        "channel" => list(&gongzhi_domain::project::NEED_CHANNELS),
        "consent" => list(&gongzhi_domain::person::CONSENT_METHODS),
        "implementer_plan" => list(&gongzhi_domain::project::IMPLEMENTER_PLANS),
        "per" => list(&gongzhi_domain::budget_vote::VOTE_UNITS),
        "method" => Some(
            gongzhi_domain::procurement::METHODS
                .iter()
                .map(|m| m.key().to_string())
                .collect(),
        ),
        // What may be followed (`POST /follows`).
        "subject" => Some(
            gongzhi_domain::notification::Subject::WORDS
                .iter()
                .filter(|w| {
                    gongzhi_domain::notification::Subject::parse(w)
                        .is_some_and(|s| s.may_be_followed())
                })
                .map(|w| w.to_string())
                .collect(),
        ),
        "level" => Some(
            gongzhi_domain::place::Level::ALL
                .iter()
                .map(|l| l.as_str().to_string())
                .collect(),
        ),
        _ => None,
    }
}

/// What the names of the API say about their values, written into every schema once: ids are
/// UUIDs, a community code is lower-case letters, digits and hyphens, a file's address is its
/// SHA-256, money fields are yuan, and the rest as `fields` knows them for `operation`.
fn refine(operation: &str, name: &str, schema: &mut Value) {
    let kind = schema
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let patch = match kind.as_str() {
        "string"
            if name == "id"
                || name.ends_with("_id")
                || name == "into"
                || name == "registered_with" =>
        {
            Some(json!({"format": "uuid"}))
        }
        "string" if name == "sha256" || name.ends_with("_sha256") => {
            Some(json!({"pattern": "^[0-9a-fA-F]{64}$"}))
        }
        "string" if MONEY_FIELDS.contains(&name) => {
            Some(json!({"pattern": if MAY_BE_ZERO.contains(&name) {
                YUAN_PATTERN
            } else {
                POSITIVE_YUAN_PATTERN
            }}))
        }
        "string" => fields::string(operation, name)
            .or_else(|| enum_of(name).map(|values| json!({ "enum": values }))),
        "integer" => fields::integer(operation, name),
        "object" if schema.get("properties").is_none() => fields::object_field(name),
        "array" => {
            if schema.get("items").is_none()
                && let Some(items) = fields::items(operation, name)
            {
                schema["items"] = items;
            }
            if let Some(min) = fields::min_items(operation, name) {
                schema["minItems"] = json!(min);
            }
            let item_name = if name.ends_with("_ids") { "id" } else { "" };
            if let Some(items) = schema.get_mut("items") {
                refine(operation, item_name, items);
            }
            None
        }
        _ => None,
    };
    if let (Some(Value::Object(patch)), Some(target)) = (patch, schema.as_object_mut()) {
        target.extend(patch);
    }
    if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for (k, v) in props.iter_mut() {
            refine(operation, k, v);
        }
    }
}

pub fn document() -> Value {
    let mut paths = Map::new();
    for r in all_routes() {
        let entry = paths.entry(r.path.to_string()).or_insert_with(|| json!({}));
        let mut responses = json!({
            "200": {"description": "OK"},
            "4XX": {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        });
        // A command that records something new answers 201; repeating it with the same id, 200.
        if r.method == "post" {
            responses["201"] = json!({"description": "Created"});
        }
        let mut op = json!({
            "summary": r.summary,
            "operationId": r.operation,
            "responses": responses,
        });
        if let Some(body) = r.body {
            let mut schema = body();
            refine(r.operation, "", &mut schema);
            op["requestBody"] =
                json!({"required": true, "content": {"application/json": {"schema": schema}}});
        } else if let Some((_, types)) = RAW_BODY_OPERATIONS
            .iter()
            .find(|(operation, _)| *operation == r.operation)
        {
            let content: Map<String, Value> = types
                .iter()
                .map(|t| {
                    (
                        t.to_string(),
                        json!({"schema": {"type": "string", "format": "binary"}}),
                    )
                })
                .collect();
            op["requestBody"] = json!({"required": true, "content": content});
        }
        let params: Vec<Value> = r
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|p| {
                let mut schema = json!({"type": "string"});
                refine(
                    r.operation,
                    if p == "resident" { "resident_id" } else { p },
                    &mut schema,
                );
                json!({"name": p, "in": "path", "required": true, "schema": schema})
            })
            .collect();
        let params: Vec<Value> = params
            .into_iter()
            .chain(fields::query(r.operation).into_iter().map(|(name, required, schema)| {
                json!({"name": name, "in": "query", "required": required, "schema": schema})
            }))
            .collect();
        if !params.is_empty() {
            op["parameters"] = Value::Array(params);
        }
        entry[r.method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Gongzhi API", "version": "1", "description": "Community governance: councils, notices, funds, services. Errors are {error, message, fields} in the request's language (Accept-Language: zh-CN or en)."},
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {"schemas": {"Error": {
            "type": "object",
            "required": ["error", "message", "fields"],
            "properties": {
                "error": {"type": "string", "description": "stable snake_case code"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}}
            }
        }}}
    })
}
