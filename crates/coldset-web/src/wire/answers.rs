//! What the API answers. Each answer is a struct the handler fills and [`super::answer`]
//! writes; its schema is made for what it writes (the OpenAPI document's answers use
//! serialization's contract: a field is required when it is always written).
//!
//! A record list (`firearms`, `lots`...) and a few reads still send the domain's record as
//! it is: their items are documented as [`DomainRecord`] (docs/adr/0008-wire-types.md
//! names them).

use super::{Conv, DomainRecord, Id, Instant, Rule};
use coldset_domain::ids::{PersonId, ProductionId};
use coldset_domain::{events, RuleId};
use schemars::JsonSchema;
use serde::Serialize;

/// A refusal's rule, why it failed and what would make the step allowed.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Violation {
    #[schemars(with = "Rule")]
    pub rule: RuleId,
    pub reason: String,
    pub remedy: String,
}

/// How a person proved who they were.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    Password,
    PasswordTotp,
    ApiToken,
    Pin,
    Passkey,
    Local,
}

impl Conv<AuthMethod> for events::AuthMethod {
    fn conv(self) -> AuthMethod {
        use events::AuthMethod as A;
        match self {
            A::Password => AuthMethod::Password,
            A::PasswordTotp => AuthMethod::PasswordTotp,
            A::ApiToken => AuthMethod::ApiToken,
            A::Pin => AuthMethod::Pin,
            A::Passkey => AuthMethod::Passkey,
            A::Local => AuthMethod::Local,
        }
    }
}

/// A person other than the actor who confirmed the command on the same device.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Confirmed {
    #[schemars(with = "Id")]
    pub person: PersonId,
    pub method: AuthMethod,
}

/// How the actor, and anyone who confirmed in person, proved who they were.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Authentication {
    pub method: AuthMethod,
    pub confirmations: Vec<Confirmed>,
    /// Whose signed-in device the actor confirmed on with their PIN, when not their own.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Id>")]
    pub on_device_of: Option<PersonId>,
}

impl Conv<Authentication> for events::Authentication {
    fn conv(self) -> Authentication {
        let events::Authentication { method, confirmations, on_device_of } = self;
        Authentication {
            method: method.conv(),
            confirmations: confirmations
                .into_iter()
                .map(|c| {
                    let events::Confirmation { person, method } = c;
                    Confirmed { person, method: method.conv() }
                })
                .collect(),
            on_device_of,
        }
    }
}

/// Who caused an event.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Actor {
    /// A person of the production, acting for themselves.
    Person {
        #[schemars(with = "Id")]
        person: PersonId,
    },
    /// An installation administrator account.
    Admin { account: String },
    /// Someone without an account (a safety report).
    Anonymous,
    /// coldset itself (the clock).
    System,
}

impl Conv<Actor> for events::Actor {
    fn conv(self) -> Actor {
        match self {
            events::Actor::Person { person } => Actor::Person { person },
            events::Actor::Admin { account } => Actor::Admin { account },
            events::Actor::Anonymous => Actor::Anonymous,
            events::Actor::System => Actor::System,
        }
    }
}

/// An event's body: `kind` names it (as the event log does) and `body` holds its fields.
pub struct EventBody;

impl JsonSchema for EventBody {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Event".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "properties": { "kind": { "type": "string" }, "body": { "type": "object" } },
            "required": ["kind"],
            "description": "An event of the log: `kind` is its name (e.g. `firearm.handed_off`), `body` its fields, those of the matching variant of crates/coldset-domain/src/events.rs (docs/ledger-format.md).",
        })
    }
}

/// One recorded event of a receipt.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RecordedEvent {
    pub seq: u64,
    #[schemars(with = "Instant")]
    pub at: String,
    /// The event's name, as `event.kind`.
    pub kind: String,
    #[schemars(with = "EventBody")]
    pub event: serde_json::Value,
    pub auth: Option<Authentication>,
}

/// The answer to a command: what was recorded.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Receipt")]
pub struct Receipt {
    #[schemars(with = "Id")]
    pub production: ProductionId,
    /// The sequence number of the last event recorded (none when nothing was).
    pub last_seq: Option<u64>,
    pub events: Vec<RecordedEvent>,
}

impl Receipt {
    pub fn new(production: &ProductionId, events: &[events::Envelope]) -> Receipt {
        Receipt {
            production: production.clone(),
            last_seq: events.last().map(|e| e.seq),
            events: events
                .iter()
                .map(|e| RecordedEvent {
                    seq: e.seq,
                    at: e.at.to_rfc3339(),
                    kind: e.event.kind().to_owned(),
                    event: serde_json::to_value(&e.event).unwrap_or(serde_json::Value::Null),
                    auth: e.auth.clone().conv(),
                })
                .collect(),
        }
    }
}

/// An event of the log with the bytes that were hashed into its leaf.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LoggedEvent {
    pub seq: u64,
    #[schemars(with = "Instant")]
    pub at: String,
    pub actor: Actor,
    #[schemars(with = "EventBody")]
    pub event: serde_json::Value,
    pub auth: Option<Authentication>,
    /// The leaf's hash, lower-case hex.
    pub leaf_hash: String,
    /// The exact bytes hashed into the leaf, standard base64 (docs/ledger-format.md).
    pub record: String,
}

/// A page of the event log, oldest first; `next_from` continues it.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "EventPage")]
pub struct EventPage {
    pub items: Vec<LoggedEvent>,
    pub next_from: Option<u64>,
}

/// A page of a record list; `next_after` continues it (`?after=`).
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "RecordPage")]
pub struct RecordPage {
    #[schemars(with = "Vec<DomainRecord>")]
    pub items: Vec<serde_json::Value>,
    pub next_after: Option<String>,
}

/// A signed checkpoint of a production's log (C2SP signed note).
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Checkpoint")]
pub struct Checkpoint {
    pub size: u64,
    /// The tree's root hash, lower-case hex.
    pub root: String,
    #[schemars(with = "Instant")]
    pub at: String,
    /// The signed note.
    pub note: String,
}

impl From<&coldset_app::ports::StoredCheckpoint> for Checkpoint {
    fn from(cp: &coldset_app::ports::StoredCheckpoint) -> Self {
        Checkpoint {
            size: cp.size,
            root: crate::api::hex_lower(&cp.root),
            at: cp.at.to_rfc3339(),
            note: cp.note.clone(),
        }
    }
}

/// Every signed checkpoint.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Checkpoints")]
pub struct Checkpoints {
    pub items: Vec<Checkpoint>,
}

/// A witness's cosignature of a signed checkpoint (C2SP tlog-cosignature): the checkpoint's
/// note with the witness's signature lines.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "CosignedCheckpoint")]
pub struct CosignedCheckpoint {
    /// The checkpoint's size.
    pub size: u64,
    /// The cosigned note.
    pub note: String,
}

/// Every witness cosignature kept for a production's checkpoints.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Cosignatures")]
pub struct Cosignatures {
    pub items: Vec<CosignedCheckpoint>,
}

/// An event's inclusion proof (RFC 9162), hashes in lower-case hex.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "InclusionProof")]
pub struct InclusionProof {
    pub leaf_index: u64,
    pub tree_size: u64,
    pub leaf_hash: String,
    pub root: String,
    pub path: Vec<String>,
}

/// A consistency proof between two tree sizes (RFC 9162), hashes in lower-case hex.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "ConsistencyProof")]
pub struct ConsistencyProof {
    pub old_size: u64,
    pub new_size: u64,
    pub old_root: String,
    pub new_root: String,
    pub path: Vec<String>,
}

/// A rule the gate found overridden for this hand-off, and the override's id.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Overridden {
    #[schemars(with = "Rule")]
    pub rule: RuleId,
    pub r#override: u64,
}

/// The gate's answer, written straight from these typed fields (the hot query: no
/// `serde_json::Value` on its way; the fields are in the order a `Value` would write them).
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "GateAnswer")]
pub struct GateAnswer {
    pub allowed: bool,
    pub note: &'static str,
    pub overridden: Vec<Overridden>,
    #[schemars(with = "Vec<Rule>")]
    pub rule_ids: Vec<RuleId>,
    #[schemars(with = "Vec<Rule>")]
    pub rules_checked: Vec<RuleId>,
    #[schemars(with = "Vec<Violation>")]
    pub violations: Vec<coldset_domain::Violation>,
}

/// A new session: its cookie is set with the answer; state-changing requests made with it
/// send `csrf_token` back as `X-CSRF-Token`.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Session")]
pub struct Session {
    #[schemars(with = "Instant")]
    pub expires_at: String,
    pub csrf_token: String,
}

/// Who is asking.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Me")]
pub struct Me {
    pub account: String,
    pub admin: bool,
    pub scopes: Vec<String>,
    /// For a browser session: the anti-forgery token.
    pub csrf_token: Option<String>,
}

/// A TOTP set-up to confirm: the secret and its `otpauth://` address for an authenticator app.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "TotpEnrolment")]
pub struct TotpEnrolment {
    pub secret: String,
    pub otpauth_uri: String,
    pub next: &'static str,
}

/// A new account and its generated password, shown once.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "AccountCreated")]
pub struct AccountCreated {
    pub name: String,
    pub password: String,
}

/// A new API token, shown once.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "TokenCreated")]
pub struct TokenCreated {
    pub token: String,
    #[schemars(with = "Option<Instant>")]
    pub expires_at: Option<String>,
}

/// One holder's spell of custody in the weapon register.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CustodySpell {
    /// The person's name, `storage: NAME`, or `disposed to NAME`.
    pub holder: String,
    #[schemars(with = "Instant")]
    pub from: String,
    #[schemars(with = "Option<Instant>")]
    pub to: Option<String>,
}

/// A firearm's line of the weapon register.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RegisterLine {
    #[schemars(with = "Id")]
    pub firearm: String,
    pub minutes_out_of_storage: i64,
    pub custody: Vec<CustodySpell>,
}

/// The weapon register (R-REC-2).
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "WeaponRegister")]
pub struct WeaponRegister {
    pub rule: &'static str,
    pub items: Vec<RegisterLine>,
}

/// A recorded alert, open.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RecordedAlert {
    pub id: u64,
    #[schemars(with = "Rule")]
    pub rule: RuleId,
    pub message: String,
    #[schemars(with = "Instant")]
    pub raised_at: String,
}

/// An alert that follows from the clock (a time-out).
#[derive(Debug, Serialize, JsonSchema)]
pub struct TimeOut {
    #[schemars(with = "Rule")]
    pub rule: RuleId,
    pub message: String,
}

/// Open alerts, time-outs and holds.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Alerts")]
pub struct Alerts {
    pub recorded: Vec<RecordedAlert>,
    pub time_outs: Vec<TimeOut>,
    /// The holds in force, as the domain keeps them (crates/coldset-domain/src/safety.rs `Hold`).
    #[schemars(with = "Vec<DomainRecord>")]
    pub holds: Vec<serde_json::Value>,
}

/// A production the caller has a place in.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ProductionListed {
    #[schemars(with = "Id")]
    pub id: ProductionId,
    pub name: String,
    pub time_zone: String,
    pub packs: Vec<String>,
    /// How many events its log holds.
    pub events: u64,
}

/// A page of the productions the caller has a place in.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "ProductionPage")]
pub struct ProductionPage {
    pub items: Vec<ProductionListed>,
    pub next_after: Option<String>,
}

/// A filed safety report: keep the key, the only way to read its answers.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "ReportFiled")]
pub struct ReportFiled {
    pub report: u64,
    pub followup_key: String,
    pub note: &'static str,
}

/// A production's settings, as its log made them.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ProductionInfo {
    #[schemars(with = "Id")]
    pub id: ProductionId,
    pub name: String,
    pub time_zone: String,
    pub packs: Vec<String>,
    pub compliance_contact: String,
    pub approved_suppliers: std::collections::BTreeSet<String>,
    /// Roles that must sign in with a one-time code to work on this production.
    pub second_factor_roles: std::collections::BTreeSet<super::vocab::Role>,
    pub version: u64,
}

impl Conv<ProductionInfo> for coldset_domain::state::ProductionInfo {
    fn conv(self) -> ProductionInfo {
        let coldset_domain::state::ProductionInfo {
            id,
            name,
            time_zone,
            packs,
            compliance_contact,
            approved_suppliers,
            second_factor_roles,
            version,
        } = self;
        ProductionInfo {
            id,
            name,
            time_zone,
            packs,
            compliance_contact,
            approved_suppliers,
            second_factor_roles: second_factor_roles.conv(),
            version,
        }
    }
}

/// How many records of each kind a production has.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Counts {
    pub people: usize,
    pub firearms: usize,
    pub lots: usize,
    pub containers: usize,
    pub locations: usize,
    pub scenes: usize,
}

/// A production's summary.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "ProductionSummary")]
pub struct ProductionSummary {
    pub production: Option<ProductionInfo>,
    /// How many events its log holds.
    pub events: u64,
    /// The production's local date.
    #[schemars(with = "super::Day")]
    pub today: String,
    pub counts: Counts,
    /// Rounds held, by class (`dummy`, `blank (quarter load)`, `LIVE`).
    pub rounds_by_class: std::collections::BTreeMap<String, u64>,
}

/// The signed key rotations, oldest first (docs/ledger.md).
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "KeyRotations")]
pub struct KeyRotations {
    /// Each rotation statement, as signed.
    pub items: Vec<String>,
}

/// A notification's delivery.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Delivery {
    pub id: i64,
    #[schemars(with = "Id")]
    pub production: ProductionId,
    pub event_seq: u64,
    /// `webhook` or `email`.
    pub channel: String,
    /// A URL or an e-mail address.
    pub target: String,
    pub attempts: u32,
    #[schemars(with = "Instant")]
    pub next_attempt_at: String,
    #[schemars(with = "Option<Instant>")]
    pub delivered_at: Option<String>,
    pub last_error: Option<String>,
}

/// The delivery log of notifications, newest first.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Outbox")]
pub struct Outbox {
    pub items: Vec<Delivery>,
}

/// The person a passkey is for, as WebAuthn names them.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PasskeyUser {
    /// base64url of `production/person`.
    pub id: String,
    pub name: String,
}

/// A WebAuthn challenge (single use, 2 minutes) and what the browser needs with it.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "PasskeyChallengeIssued")]
pub struct PasskeyChallengeIssued {
    pub challenge: String,
    pub rp_id: String,
    pub user: PasskeyUser,
    /// The credential ids of the person's passkeys.
    pub credentials: Vec<String>,
}

/// Who a report was escalated to.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EscalationLevel {
    ComplianceContact,
    StudioSafetyOffice,
    UnionRepresentative,
}

impl Conv<EscalationLevel> for coldset_domain::reporting::EscalationLevel {
    fn conv(self) -> EscalationLevel {
        use coldset_domain::reporting::EscalationLevel as L;
        match self {
            L::ComplianceContact => EscalationLevel::ComplianceContact,
            L::StudioSafetyOffice => EscalationLevel::StudioSafetyOffice,
            L::UnionRepresentative => EscalationLevel::UnionRepresentative,
        }
    }
}

/// A report's escalation.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Escalation {
    pub level: EscalationLevel,
    #[schemars(with = "Instant")]
    pub at: String,
}

/// Who wrote an entry of a report's thread.
#[derive(Debug, Serialize, JsonSchema)]
pub enum ThreadAuthor {
    #[serde(rename = "you")]
    You,
    #[serde(rename = "production safety")]
    ProductionSafety,
}

/// An entry of a report's thread.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ThreadEntry {
    pub from: ThreadAuthor,
    pub text: String,
    #[schemars(with = "Instant")]
    pub at: String,
}

/// How a report was closed.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Closed {
    pub corrective_action: String,
    #[schemars(with = "Instant")]
    pub at: String,
}

/// A safety report as its reporter and the production read it.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "ReportView")]
pub struct ReportView {
    pub report: u64,
    pub severity: super::vocab::Severity,
    pub text: String,
    pub subject: Option<String>,
    /// SHA-256 (hex) of each photo (`GET /productions/{p}/attachments/{hash}`).
    pub photos: Vec<String>,
    #[schemars(with = "Instant")]
    pub filed_at: String,
    #[schemars(with = "Instant")]
    pub acknowledge_by: String,
    #[schemars(with = "Option<Instant>")]
    pub acknowledged: Option<String>,
    pub reviewed_by_safety_advisor: bool,
    pub escalations: Vec<Escalation>,
    pub thread: Vec<ThreadEntry>,
    pub closed: Option<Closed>,
}

impl ReportView {
    pub fn new(r: &coldset_domain::reporting::Report, ack_minutes: i64) -> ReportView {
        ReportView {
            report: r.id,
            severity: r.severity.conv(),
            text: r.text.clone(),
            subject: r.subject.clone(),
            photos: r.photos.clone(),
            filed_at: r.filed_at.to_rfc3339(),
            acknowledge_by: r.ack_due(ack_minutes).to_rfc3339(),
            acknowledged: r.acknowledged.as_ref().map(|(_, at)| at.to_rfc3339()),
            reviewed_by_safety_advisor: r.reviewed.is_some(),
            escalations: r
                .escalations
                .iter()
                .map(|(l, at)| Escalation { level: l.conv(), at: at.to_rfc3339() })
                .collect(),
            thread: r
                .thread
                .iter()
                .map(|e| ThreadEntry {
                    from: if e.from == "reporter" { ThreadAuthor::You } else { ThreadAuthor::ProductionSafety },
                    text: e.text.clone(),
                    at: e.at.to_rfc3339(),
                })
                .collect(),
            closed: r
                .closed
                .as_ref()
                .map(|(action, at)| Closed { corrective_action: action.clone(), at: at.to_rfc3339() }),
        }
    }
}

/// A page of safety reports; `next_after` continues it (`?after=`).
#[derive(Debug, Serialize, JsonSchema)]
#[allow(dead_code)] // the page is cut by `api::paginate`, which writes this shape for any list
#[schemars(rename = "ReportPage")]
pub struct ReportPage {
    pub items: Vec<ReportView>,
    pub next_after: Option<String>,
}

/// A regulator told of an incident.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RegulatorNotified {
    #[schemars(with = "Id")]
    pub by: PersonId,
    pub reference: String,
    #[schemars(with = "Instant")]
    pub at: String,
}

/// An incident: its deadlines and the evidence it froze (R-INC-*).
#[derive(Debug, Serialize, JsonSchema)]
pub struct IncidentListed {
    pub incident: u64,
    pub kind: super::vocab::IncidentKind,
    #[schemars(with = "Option<Id>")]
    pub firearm: Option<coldset_domain::ids::FirearmId>,
    #[schemars(with = "Instant")]
    pub at: String,
    /// When the regulator must have been told, for an injury that requires it.
    #[schemars(with = "Option<Instant>")]
    pub regulator_due: Option<String>,
    pub regulator_notified: Option<RegulatorNotified>,
    #[schemars(with = "Option<Instant>")]
    pub investigation_closed: Option<String>,
    pub evidence_frozen: bool,
    #[schemars(with = "Vec<Id>")]
    pub frozen_firearms: Vec<coldset_domain::ids::FirearmId>,
    #[schemars(with = "Vec<Id>")]
    pub frozen_containers: Vec<coldset_domain::ids::ContainerId>,
}

impl IncidentListed {
    pub fn new(i: &coldset_domain::reporting::Incident) -> IncidentListed {
        IncidentListed {
            incident: i.id,
            kind: i.kind.clone().conv(),
            firearm: i.firearm.clone(),
            at: i.at.to_rfc3339(),
            regulator_due: i.regulator_due().map(|t| t.to_rfc3339()),
            regulator_notified: i.regulator_notified.as_ref().map(|(by, reference, at)| RegulatorNotified {
                by: by.clone(),
                reference: reference.clone(),
                at: at.to_rfc3339(),
            }),
            investigation_closed: i.closed_at.map(|t| t.to_rfc3339()),
            evidence_frozen: i.evidence_released.is_none(),
            frozen_firearms: i.frozen_firearms.clone(),
            frozen_containers: i.frozen_containers.clone(),
        }
    }
}

/// A rule that stops firearm work now, and why.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Stop {
    #[schemars(with = "Rule")]
    pub rule: RuleId,
    pub reason: String,
}

/// A page of incidents, with the stops in force; `next_after` continues it (`?after=`).
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "IncidentPage")]
#[allow(dead_code)] // the page is cut by `api::paginate`, which writes this shape; `stops` is added to it
pub struct IncidentPage {
    pub items: Vec<IncidentListed>,
    pub next_after: Option<String>,
    pub stops: Vec<Stop>,
}
