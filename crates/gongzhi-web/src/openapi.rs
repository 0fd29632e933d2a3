//! The OpenAPI 3.1 document of `/api/v1`. It is built from the same route table the router uses
//! (`api::ROUTES`), so a route cannot exist without being documented (a test checks both ways).

use serde_json::{Map, Value, json};

use crate::api::all_routes;

pub fn document() -> Value {
    let mut paths = Map::new();
    for r in all_routes() {
        let entry = paths.entry(r.path.to_string()).or_insert_with(|| json!({}));
        let mut op = json!({
            "summary": r.summary,
            "operationId": r.operation,
            "responses": {
                "200": {"description": "OK"},
                "4XX": {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
        });
        if let Some(body) = r.body {
            op["requestBody"] =
                json!({"required": true, "content": {"application/json": {"schema": body()}}});
        }
        let params: Vec<Value> = r
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|p| json!({"name": p, "in": "path", "required": true, "schema": {"type": "string"}}))
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
