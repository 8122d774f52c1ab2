//! The OpenAPI 3.1 document of `/api/v1`, built from one table of the endpoints. A test sends
//! a request to every row through the real router (so the table cannot list a route that does
//! not exist), and docs/openapi.json is a snapshot of this document, checked by a test.

use serde_json::{json, Map, Value};

/// Who may call an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (health, the ledger, the public report endpoints, sign-in).
    Public,
    /// A bearer token or a browser session.
    Account,
}

pub struct Endpoint {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub access: Access,
    /// Request body schema name, if any.
    pub body: Option<&'static str>,
    /// Query parameters: (name, required).
    pub query: &'static [(&'static str, bool)],
}

const fn e(
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    access: Access,
    body: Option<&'static str>,
    query: &'static [(&'static str, bool)],
) -> Endpoint {
    Endpoint { method, path, summary, access, body, query }
}

use Access::{Account, Public};

/// The query of every record list: `?after=ID&limit=N`.
const PAGED: &[(&str, bool)] = &[("after", false), ("limit", false)];

/// Every endpoint under /api/v1.
pub const ENDPOINTS: &[Endpoint] = &[
    e("get", "/openapi.json", "This document", Public, None, &[]),
    e("post", "/login", "Sign in: a session cookie and its anti-forgery token", Public, Some("Login"), &[]),
    e("post", "/logout", "End the session", Public, None, &[]),
    e("get", "/me", "Who is asking", Account, None, &[]),
    e("post", "/me/totp", "Start TOTP enrolment", Account, None, &[]),
    e("post", "/me/totp/confirm", "Confirm TOTP enrolment with a code", Account, Some("Code"), &[]),
    e("post", "/me/password", "Change your own password, giving the current one", Account, Some("PasswordChange"), &[]),
    e("post", "/accounts", "Create an account (administrators)", Account, Some("NewAccount"), &[]),
    e("post", "/accounts/{name}/tokens", "Create an API token", Account, Some("NewToken"), &[]),
    e("get", "/outbox", "Notification delivery log (administrators)", Account, None, &[]),
    e("get", "/ledger/verifier-key", "The key that signs checkpoints", Public, None, &[]),
    e("get", "/ledger/key-rotations", "The signed key rotations, oldest first", Public, None, &[]),
    e("get", "/productions", "Productions the caller has a place in", Account, None, PAGED),
    e("post", "/productions", "Create a production (administrators)", Account, Some("NewProduction"), &[]),
    e("get", "/productions/{production}", "Summary and counts", Account, None, &[]),
    e(
        "post",
        "/productions/{production}/commands",
        "Run any command through the write path",
        Account,
        Some("CommandRequest"),
        &[],
    ),
    e("put", "/productions/{production}/me/pin", "Set your confirmation PIN", Account, Some("Pin"), &[]),
    e(
        "post",
        "/productions/{production}/passkeys/challenge",
        "A WebAuthn challenge: to register your own passkey, or for a person present to confirm with theirs",
        Account,
        Some("PasskeyChallenge"),
        &[],
    ),
    e(
        "post",
        "/productions/{production}/me/passkeys",
        "Register a passkey (WebAuthn, ES256) to confirm with instead of your PIN",
        Account,
        Some("PasskeyRegistration"),
        &[],
    ),
    e("get", "/productions/{production}/firearms", "Firearms and who holds them", Account, None, PAGED),
    e("get", "/productions/{production}/firearms/{id}", "One firearm", Account, None, &[]),
    e("get", "/productions/{production}/containers", "Ammunition containers", Account, None, PAGED),
    e("get", "/productions/{production}/lots", "Ammunition lots and provenance", Account, None, PAGED),
    e("get", "/productions/{production}/people", "People, roles and credentials", Account, None, PAGED),
    e("get", "/productions/{production}/locations", "Storage locations", Account, None, PAGED),
    e("get", "/productions/{production}/scenes", "Scenes and their plans", Account, None, PAGED),
    e(
        "get",
        "/productions/{production}/events",
        "The event log, a page at a time",
        Account,
        None,
        &[("from", false), ("limit", false)],
    ),
    e("get", "/productions/{production}/register", "The weapon register (R-REC-2)", Account, None, &[]),
    e(
        "get",
        "/productions/{production}/records/{kind}",
        "A record out (docs/records.md): daily log, registers, packs, hand-off receipt, as CSV, JSON or PDF",
        Account,
        None,
        &[("day", false), ("from", false), ("to", false), ("incident", false), ("seq", false), ("format", false)],
    ),
    e(
        "get",
        "/productions/{production}/gate/hand-off",
        "May this firearm go to this performer now?",
        Account,
        None,
        &[("firearm", true), ("to", true), ("scene", false)],
    ),
    e("get", "/productions/{production}/alerts", "Alerts, time-outs and holds", Account, None, &[]),
    e("get", "/productions/{production}/reports", "Safety reports (full readers)", Account, None, PAGED),
    e(
        "post",
        "/productions/{production}/reports",
        "File a safety report, anonymously if you like",
        Public,
        Some("NewReport"),
        &[],
    ),
    e("post", "/productions/{production}/reports/followup", "Read your report with its key", Public, Some("Key"), &[]),
    e(
        "post",
        "/productions/{production}/reports/followup/add",
        "Add to your report with its key",
        Public,
        Some("KeyText"),
        &[],
    ),
    e("get", "/productions/{production}/attachments/{hash}", "A report photo, by hash", Account, None, &[]),
    e("get", "/productions/{production}/incidents", "Incidents, deadlines and current stops", Account, None, PAGED),
    e("get", "/productions/{production}/incidents/{id}/evidence", "An incident's evidence bundle", Account, None, &[]),
    e("get", "/productions/{production}/checkpoint", "The latest signed checkpoint", Public, None, &[]),
    e("get", "/productions/{production}/checkpoints", "Every signed checkpoint", Public, None, &[]),
    e(
        "get",
        "/productions/{production}/proof/inclusion",
        "Inclusion proof of an event",
        Public,
        None,
        &[("seq", true), ("size", false), ("format", false)],
    ),
    e(
        "get",
        "/productions/{production}/proof/consistency",
        "Consistency proof between two sizes",
        Public,
        None,
        &[("from", true), ("to", true)],
    ),
];

fn obj(props: &[(&str, Value)], required: &[&str]) -> Value {
    let mut p = Map::new();
    for (k, v) in props {
        p.insert((*k).to_owned(), v.clone());
    }
    json!({ "type": "object", "properties": p, "required": required, "additionalProperties": false })
}

fn schemas() -> Value {
    let s = || json!({ "type": "string" });
    let commands: Vec<Value> = coldset_domain::permissions::PERMISSIONS
        .iter()
        .map(|(name, _)| {
            json!({
                "type": "object",
                "required": ["command"],
                "properties": { "command": { "const": name } },
                "description": format!("The `{name}` command; its fields are those of crates/coldset-domain/src/commands.rs"),
            })
        })
        .collect();
    json!({
        "Error": obj(&[
            ("code", s()), ("message", s()),
            ("rule_ids", json!({ "type": "array", "items": { "type": "string", "pattern": "^R-[A-Z]+-[0-9]+$" } })),
            ("violations", json!({ "type": "array", "items": obj(&[("rule", s()), ("reason", s()), ("remedy", s())], &["rule", "reason", "remedy"]) })),
            ("request_id", s()),
        ], &["code", "message", "rule_ids", "request_id"]),
        "Command": { "oneOf": commands },
        "CommandRequest": obj(&[
            ("command", json!({ "$ref": "#/components/schemas/Command" })),
            ("expected_version", json!({ "type": "integer", "minimum": 0 })),
            ("confirmations", json!({ "type": "array", "items": obj(&[("person", s()), ("pin", s()),
                ("passkey", obj(&[("credential_id", s()), ("client_data", s()), ("authenticator_data", s()), ("signature", s())],
                    &["credential_id", "client_data", "authenticator_data", "signature"]))], &["person"]) })),
        ], &["command"]),
        "Login": obj(&[("name", s()), ("password", s()), ("code", s())], &["name", "password"]),
        "Code": obj(&[("code", s())], &["code"]),
        "PasswordChange": obj(&[("current", s()), ("new", s())], &["current", "new"]),
        "Pin": obj(&[("pin", json!({ "type": "string", "pattern": "^[0-9]{4,12}$" }))], &["pin"]),
        "PasskeyChallenge": obj(&[("person", s()), ("purpose", json!({ "enum": ["register", "confirm"] }))], &["person", "purpose"]),
        "PasskeyRegistration": obj(&[("credential_id", s()), ("client_data", s()), ("authenticator_data", s()), ("public_key", s()),
            ("algorithm", json!({ "type": "integer" }))], &["credential_id", "client_data", "authenticator_data", "public_key", "algorithm"]),
        "NewAccount": obj(&[("name", s()), ("admin", json!({ "type": "boolean" })),
            ("links", json!({ "type": "array", "items": obj(&[("production", s()), ("person", s())], &["production", "person"]) }))], &["name"]),
        "NewToken": obj(&[("scopes", json!({ "type": "array", "items": { "enum": ["read", "write"] } })),
            ("expires_in_days", json!({ "type": "integer", "minimum": 1 }))], &["scopes"]),
        "NewProduction": obj(&[("id", s()), ("name", s()), ("time_zone", s()),
            ("packs", json!({ "type": "array", "items": { "enum": coldset_domain::policy::PACKS } })), ("compliance_contact", s())],
            &["id", "name", "time_zone", "packs", "compliance_contact"]),
        "NewReport": obj(&[("severity", json!({ "enum": ["information", "concern", "critical"] })), ("text", s()), ("subject", s()),
            ("reporter_name", s()), ("photos", json!({ "type": "array", "items": obj(&[("content_type", s()), ("data", s())], &["content_type", "data"]) }))],
            &["severity", "text"]),
        "Key": obj(&[("key", s())], &["key"]),
        "KeyText": obj(&[("key", s()), ("text", s())], &["key", "text"]),
    })
}

/// The document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for ep in ENDPOINTS {
        let mut params: Vec<Value> = ep
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| {
                // A record's kind is one of a few names.
                let schema = if name == "kind" {
                    json!({ "type": "string", "enum": coldset_app::records::RecordKind::ALL.iter().map(|k| k.slug()).collect::<Vec<_>>() })
                } else {
                    json!({ "type": "string" })
                };
                json!({ "name": name, "in": "path", "required": true, "schema": schema })
            })
            .collect();
        params.extend(ep.query.iter().map(|(name, required)| {
            // The gate query and `after` name records; the others are sequence numbers and sizes.
            let kind = if ep.path.ends_with("/gate/hand-off") || matches!(*name, "after" | "day" | "from" | "to") {
                "string"
            } else if *name == "format" {
                // An inclusion proof is JSON or a C2SP tlog-proof; a record CSV, JSON or PDF.
                let formats: &[&str] = if ep.path.ends_with("/proof/inclusion") {
                    &["json", "tlog-proof"]
                } else {
                    &["csv", "json", "pdf"]
                };
                return json!({ "name": name, "in": "query", "required": required,
                               "schema": { "type": "string", "enum": formats } });
            } else {
                "integer"
            };
            json!({ "name": name, "in": "query", "required": required, "schema": { "type": kind } })
        }));
        if ep.path.ends_with("/commands") {
            params.push(json!({
                "name": "Idempotency-Key",
                "in": "header",
                "required": false,
                "description": "A retry with the same key gets the first answer and records nothing again (docs/api.md)",
                "schema": { "type": "string", "minLength": 1, "maxLength": 200 },
            }));
        }
        let mut op = json!({
            "summary": ep.summary,
            "operationId": format!("{}{}", ep.method, ep.path.replace(['/', '{', '}', '.', '-'], "_")),
            "parameters": params,
            "responses": {
                "200": { "description": "Success", "content": { "application/json": {} } },
                "default": { "description": "Error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
            },
        });
        if let Some(body) = ep.body {
            op["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{body}") } } } });
        }
        op["security"] = match ep.access {
            Access::Public => json!([]),
            Access::Account => json!([{ "bearer": [] }, { "session": [] }]),
        };
        let entry = paths.entry(ep.path.to_owned()).or_insert_with(|| json!({}));
        entry[ep.method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "coldset",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Chain of custody for firearms and ammunition on film and TV sets. Every refusal names the safety rules that caused it.",
        },
        "servers": [{ "url": "/api/v1" }],
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer" },
                "session": { "type": "apiKey", "in": "cookie", "name": "coldset_session" },
            },
        },
    })
}
