//! The routes of `/api/v1` and their OpenAPI 3.1 document, from one table: each row is an
//! endpoint's method, path, handler, who may call it and the wire types of its body and its
//! answer (`wire/`). The router mounts the rows (`api_routes`), and the document is made from
//! the same rows with the JSON Schemas those types derive, so the two cannot disagree.
//! docs/openapi.json is a snapshot of the document, checked by a test of the `coldset` crate,
//! which also sends a request to every row through the real server.

use crate::wire::{answers as a, command, records as rec, requests as r};
use crate::{api, ledger, passkeys, records, reports, write};
use axum::handler::Handler;
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;
use coldset_app::App;
use schemars::generate::{Contract, SchemaSettings};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Map, Value};

/// Who may call an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (health, the ledger, the public report endpoints, sign-in).
    Public,
    /// A bearer token or a browser session.
    Account,
}

/// A wire type's schema, from the generator of its direction (requests are described as
/// they are parsed, answers as they are written).
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

fn schema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

/// What an endpoint answers on success.
#[derive(Clone, Copy)]
pub enum Answer {
    /// JSON of this wire type.
    Json(SchemaFn),
    /// JSON not yet described by a wire type (docs/adr/0008-wire-types.md lists them).
    Undescribed,
    /// `204 No Content`.
    NoContent,
    /// Not JSON: text, a file (its `Content-Type` says which).
    Other,
}

pub struct Endpoint {
    pub method: &'static str,
    /// The path under `/api/v1`.
    pub path: &'static str,
    pub summary: &'static str,
    pub access: Access,
    /// The request body's wire type, if the endpoint takes one.
    pub body: Option<SchemaFn>,
    pub answer: Answer,
    /// Query parameters: (name, required).
    pub query: &'static [(&'static str, bool)],
    /// The handler, mounted for `method` at `path`.
    pub route: MethodRouter<App>,
}

use Access::{Account, Public};
use Answer::{Json, NoContent, Other, Undescribed};

/// The query of every record list: `?after=ID&limit=N`.
const PAGED: &[(&str, bool)] = &[("after", false), ("limit", false)];

fn filter(method: &str) -> MethodFilter {
    match method {
        "post" => MethodFilter::POST,
        "put" => MethodFilter::PUT,
        "delete" => MethodFilter::DELETE,
        _ => MethodFilter::GET,
    }
}

/// A row whose handler is mounted for its own method, so the two cannot differ.
#[allow(clippy::too_many_arguments)] // one argument per column of the table
fn ep<H: Handler<T, App>, T: 'static>(
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    access: Access,
    body: Option<SchemaFn>,
    answer: Answer,
    query: &'static [(&'static str, bool)],
    handler: H,
) -> Endpoint {
    ep_with(method, path, summary, access, body, answer, query, |f| on(f, handler))
}

/// A row whose method router is made by `route` (a handler with its own state or layer).
#[allow(clippy::too_many_arguments)]
fn ep_with(
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    access: Access,
    body: Option<SchemaFn>,
    answer: Answer,
    query: &'static [(&'static str, bool)],
    route: impl FnOnce(MethodFilter) -> MethodRouter<App>,
) -> Endpoint {
    Endpoint { method, path, summary, access, body, answer, query, route: route(filter(method)) }
}

fn body<T: JsonSchema>() -> Option<SchemaFn> {
    Some(schema::<T>)
}

fn json<T: JsonSchema>() -> Answer {
    Json(schema::<T>)
}

/// Every endpoint under /api/v1.
#[rustfmt::skip]
#[allow(clippy::too_many_lines)]
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        ep("get", "/openapi.json", "This document", Public, None, Undescribed, &[], || async { axum::Json(document()) }),
        ep("post", "/login", "Sign in: a session cookie and its anti-forgery token", Public, body::<r::Login>(), json::<a::Session>(), &[], write::login),
        ep("post", "/logout", "End the session", Public, None, NoContent, &[], write::logout),
        ep("get", "/me", "Who is asking", Account, None, json::<a::Me>(), &[], write::me),
        ep("post", "/me/totp", "Start TOTP enrolment", Account, None, json::<a::TotpEnrolment>(), &[], write::enrol_totp),
        ep("post", "/me/totp/confirm", "Confirm TOTP enrolment with a code", Account, body::<r::Code>(), NoContent, &[], write::confirm_totp),
        ep("post", "/me/password", "Change your own password, giving the current one", Account, body::<r::PasswordChange>(), NoContent, &[], write::change_password),
        ep("post", "/accounts", "Create an account (administrators)", Account, body::<r::NewAccount>(), json::<a::AccountCreated>(), &[], write::create_account),
        ep("post", "/accounts/{name}/tokens", "Create an API token", Account, body::<r::NewToken>(), json::<a::TokenCreated>(), &[], write::create_token),
        ep("get", "/outbox", "Notification delivery log (administrators)", Account, None, json::<a::Outbox>(), &[], write::outbox),
        ep("get", "/ledger/verifier-key", "The key that signs checkpoints", Public, None, Other, &[], ledger::verifier_key),
        ep("get", "/ledger/key-rotations", "The signed key rotations, oldest first", Public, None, json::<a::KeyRotations>(), &[], ledger::key_rotations),
        ep("get", "/productions", "Productions the caller has a place in", Account, None, json::<a::ProductionPage>(), PAGED, api::list_productions),
        ep("post", "/productions", "Create a production (administrators)", Account, body::<r::NewProduction>(), json::<a::Receipt>(), &[], write::create_production),
        ep("get", "/productions/{production}", "Summary and counts", Account, None, json::<a::ProductionSummary>(), &[], api::production),
        ep("post", "/productions/{production}/commands", "Run any command through the write path", Account, body::<command::CommandRequest>(), json::<a::Receipt>(), &[], write::command),
        ep("put", "/productions/{production}/me/pin", "Set your confirmation PIN", Account, body::<r::Pin>(), NoContent, &[], write::set_pin),
        ep("post", "/productions/{production}/passkeys/challenge", "A WebAuthn challenge: to register your own passkey, or for a person present to confirm with theirs", Account, body::<r::PasskeyChallenge>(), json::<a::PasskeyChallengeIssued>(), &[], passkeys::challenge),
        ep("post", "/productions/{production}/me/passkeys", "Register a passkey (WebAuthn, ES256) to confirm with instead of your PIN", Account, body::<r::PasskeyRegistration>(), NoContent, &[], passkeys::register),
        ep("get", "/productions/{production}/firearms", "Firearms and who holds them", Account, None, json::<rec::Page<rec::Firearm>>(), PAGED, api::firearms),
        ep("get", "/productions/{production}/firearms/{id}", "One firearm", Account, None, json::<rec::Firearm>(), &[], api::firearm),
        ep("get", "/productions/{production}/containers", "Ammunition containers", Account, None, json::<rec::Page<rec::Container>>(), PAGED, api::containers),
        ep("get", "/productions/{production}/lots", "Ammunition lots and provenance", Account, None, json::<rec::Page<rec::Lot>>(), PAGED, api::lots),
        ep("get", "/productions/{production}/people", "People, roles and credentials", Account, None, json::<rec::Page<rec::Person>>(), PAGED, api::people),
        ep("get", "/productions/{production}/locations", "Storage locations", Account, None, json::<rec::Page<rec::StorageLocation>>(), PAGED, api::locations),
        ep("get", "/productions/{production}/scenes", "Scenes and their plans", Account, None, json::<rec::Page<rec::Scene>>(), PAGED, api::scenes),
        ep("get", "/productions/{production}/events", "The event log, a page at a time", Account, None, json::<a::EventPage>(), &[("from", false), ("limit", false)], api::events),
        ep("get", "/productions/{production}/register", "The weapon register (R-REC-2)", Account, None, json::<a::WeaponRegister>(), &[], api::register),
        ep(
            "get",
            "/productions/{production}/records/{kind}",
            "A record out (docs/records.md): daily log, registers, packs, hand-off receipt, as CSV, JSON or PDF",
            Account,
            None,
            Other,
            &[("day", false), ("from", false), ("to", false), ("incident", false), ("seq", false), ("format", false)],
            records::record_api,
        ),
        ep_with("get", "/productions/{production}/gate/hand-off", "May this firearm go to this performer now?", Account, None, json::<a::GateAnswer>(), &[("firearm", true), ("to", true), ("scene", false)], write::gate_route),
        ep("get", "/productions/{production}/alerts", "Alerts, time-outs and holds", Account, None, json::<a::Alerts>(), &[], write::alerts),
        ep("get", "/productions/{production}/reports", "Safety reports (full readers)", Account, None, json::<a::ReportPage>(), PAGED, reports::list_reports),
        ep_with("post", "/productions/{production}/reports", "File a safety report, anonymously if you like", Public, body::<r::NewReport>(), json::<a::ReportFiled>(), &[], reports::file_report_route),
        ep("post", "/productions/{production}/reports/followup", "Read your report with its key", Public, body::<r::Key>(), json::<a::ReportView>(), &[], reports::follow_up),
        ep("post", "/productions/{production}/reports/followup/add", "Add to your report with its key", Public, body::<r::KeyText>(), json::<a::ReportView>(), &[], reports::add_to_report),
        ep("get", "/productions/{production}/attachments/{hash}", "A report photo, by hash", Account, None, Other, &[], reports::attachment),
        ep("get", "/productions/{production}/incidents", "Incidents, deadlines and current stops", Account, None, json::<a::IncidentPage>(), PAGED, reports::list_incidents),
        ep("get", "/productions/{production}/incidents/{id}/evidence", "An incident's evidence bundle", Account, None, Undescribed, &[], reports::evidence),
        ep("get", "/productions/{production}/checkpoint", "The latest signed checkpoint", Public, None, json::<a::Checkpoint>(), &[], ledger::latest_checkpoint),
        ep("get", "/productions/{production}/checkpoints", "Every signed checkpoint", Public, None, json::<a::Checkpoints>(), &[], ledger::checkpoints),
        ep("get", "/productions/{production}/cosignatures", "Every witness cosignature kept for the signed checkpoints", Public, None, json::<a::Cosignatures>(), &[], ledger::cosignatures),
        ep("get", "/productions/{production}/proof/inclusion", "Inclusion proof of an event", Public, None, json::<a::InclusionProof>(), &[("seq", true), ("size", false), ("format", false)], ledger::inclusion),
        ep("get", "/productions/{production}/proof/consistency", "Consistency proof between two sizes", Public, None, json::<a::ConsistencyProof>(), &[("from", true), ("to", true)], ledger::consistency),
    ]
}

/// The JSON API's routes, from the table. They carry their `/api/v1` prefix themselves
/// rather than being nested: a nested router rewrites every request's URI and routes it
/// twice, which was measurable on the gate query (docs/benchmarks.md).
pub(crate) fn api_routes() -> Router<App> {
    endpoints().into_iter().fold(Router::new(), |router, ep| router.route(&format!("/api/v1{}", ep.path), ep.route))
}

/// A generator of schemas whose references point into the document's components.
fn generator(contract: Contract) -> SchemaGenerator {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = "/components/schemas".into();
    settings.meta_schema = None;
    settings.contract = contract;
    settings.into_generator()
}

/// The document.
pub fn document() -> Value {
    // Requests are described as the server parses them (a field with a default is optional),
    // answers as it writes them (a field always written is required).
    let mut requests = generator(Contract::Deserialize);
    let mut answers = generator(Contract::Serialize);
    let error = answers.subschema_for::<crate::error::ApiError>();
    let mut paths = Map::new();
    for ep in endpoints() {
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
        let mut success = json!({ "description": "Success", "content": { "application/json": {} } });
        if let Json(answer) = ep.answer {
            success["content"]["application/json"] = json!({ "schema": answer(&mut answers) });
        }
        let mut responses = json!({
            "200": success,
            "default": { "description": "Error", "content": { "application/json": { "schema": error.clone() } } },
        });
        if let NoContent = ep.answer {
            responses["204"] = json!({ "description": "Done: no content" });
        }
        let mut op = json!({
            "summary": ep.summary,
            "operationId": format!("{}{}", ep.method, ep.path.replace(['/', '{', '}', '.', '-'], "_")),
            "parameters": params,
            "responses": responses,
        });
        if let Some(body) = ep.body {
            op["requestBody"] =
                json!({ "required": true, "content": { "application/json": { "schema": body(&mut requests) } } });
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
            "schemas": schemas(requests, answers),
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer" },
                "session": { "type": "apiKey", "in": "cookie", "name": "coldset_session" },
            },
        },
    })
}

/// The schemas both generators met, by name. A type both parsed and written (a lot's
/// provenance, in a command and in the lots' list) is described as it is parsed: a field with
/// a default may be left out. That is true of the answer too, which always writes it (a test
/// checks that the two descriptions differ in nothing else).
fn schemas(mut requests: SchemaGenerator, mut answers: SchemaGenerator) -> Map<String, Value> {
    let mut all = answers.take_definitions(true);
    all.extend(requests.take_definitions(true));
    all
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    /// A name both directions describe (a type both parsed and written) differs at most in
    /// which fields are required, and the request's description, which the document keeps,
    /// requires no field the answer may leave out: it is true of both.
    #[test]
    fn requests_and_answers_describe_a_shared_name_compatibly() {
        let mut requests = generator(Contract::Deserialize);
        let mut answers = generator(Contract::Serialize);
        for ep in endpoints() {
            if let Some(body) = ep.body {
                body(&mut requests);
            }
            if let Json(answer) = ep.answer {
                answer(&mut answers);
            }
        }
        answers.subschema_for::<crate::error::ApiError>();
        let (requests, answers) = (requests.take_definitions(true), answers.take_definitions(true));
        let mut shared = 0;
        for (name, request) in &requests {
            let Some(answer) = answers.get(name) else { continue };
            shared += 1;
            let without_required = |v: &Value| {
                let mut v = v.clone();
                v.as_object_mut().map(|o| o.remove("required"));
                v
            };
            assert_eq!(without_required(request), without_required(answer), "{name} is two different things");
            let required = |v: &Value| v["required"].as_array().cloned().unwrap_or_default();
            for field in required(request) {
                assert!(required(answer).contains(&field), "{name}: {field} is required in requests, not in answers");
            }
        }
        assert!(shared > 0, "the lists and the commands share their vocabulary (credentials, provenance...)");
        assert_eq!(document()["components"]["schemas"]["Provenance"], requests["Provenance"]);
    }

    /// Every command the domain knows has its variant, with its fields, in the document's
    /// `Command` schema.
    #[test]
    fn every_command_has_a_schema_with_its_fields() {
        let doc = document();
        let variants = doc["components"]["schemas"]["Command"]["oneOf"].as_array().expect("Command is a oneOf");
        let named = |name: &str| {
            variants.iter().find(|v| {
                let tag = &v["properties"]["command"];
                tag["const"] == name || tag["enum"] == json!([name])
            })
        };
        for kind in coldset_domain::commands::CommandKind::ALL {
            let variant = named(kind.name()).unwrap_or_else(|| panic!("no schema for the command {}", kind.name()));
            assert_eq!(variant["additionalProperties"], false, "{}: {variant}", kind.name());
            assert!(variant["required"].as_array().unwrap().contains(&json!("command")), "{}", kind.name());
        }
        assert_eq!(variants.len(), coldset_domain::commands::CommandKind::ALL.len(), "a variant no command has");
        // One command, field by field.
        let hand_off = named("hand_off").unwrap();
        for field in ["firearm", "to", "scene"] {
            assert!(hand_off["properties"].get(field).is_some(), "hand_off lacks {field}: {hand_off}");
        }
        assert_eq!(hand_off["required"], json!(["command", "firearm", "to"]), "{hand_off}");
    }

    /// Every code an error can carry is one the document lists: the codes the handlers write
    /// (the first string after `ApiError::new(`, or set as `.code = "..."`) and those of
    /// `coldset_app::AppError::code`.
    #[test]
    fn every_error_code_is_documented() {
        // `area.what` or a bare word such as `internal`, not a sentence.
        let is_code = |text: &str| {
            text.starts_with(|c: char| c.is_ascii_lowercase())
                && text.chars().all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
        };
        let listed: Vec<&str> = crate::error::ERROR_CODES.iter().map(|(c, _)| *c).collect();
        let mut sources = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    sources.push(std::fs::read_to_string(path).unwrap());
                }
            }
        }
        let mut found = Vec::new();
        for text in &sources {
            for (at, _) in text.match_indices("ApiError::new(") {
                let rest = &text[at..];
                let call = &rest[..rest.find(");").unwrap_or(rest.len()).min(400)];
                if let Some(start) = call.find('"') {
                    let code = &call[start + 1..];
                    let code = &code[..code.find('"').unwrap()];
                    if is_code(code) {
                        found.push(code.to_owned());
                    }
                }
            }
        }
        // A code set on an error made elsewhere (`e.code = "...".into()`).
        for text in &sources {
            for (at, _) in text.match_indices(".code = \"") {
                let code = &text[at + ".code = \"".len()..];
                let code = &code[..code.find('"').unwrap()];
                if is_code(code) {
                    found.push(code.to_owned());
                }
            }
        }
        let app_errors = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../coldset-app/src/error.rs"),
        )
        .unwrap();
        for line in app_errors.lines().filter(|l| l.contains("=> \"")) {
            let code = line.split("=> \"").nth(1).unwrap();
            found.push(code[..code.find('"').unwrap()].to_owned());
        }
        assert!(found.len() > 20, "the search found too few codes: {found:?}");
        for code in &found {
            assert!(listed.contains(&code.as_str()), "the error code {code} is not in error::ERROR_CODES");
        }
    }
}
