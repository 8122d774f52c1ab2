//! The bodies of the API's other requests (sign-in, accounts, tokens, PINs, passkeys, safety
//! reports). Each is parsed by its handler as it is; the schema names are those the OpenAPI
//! document has always used for them.

use super::vocab::Severity;
use super::{Id, Pack};
use coldset_domain::ids::{PersonId, ProductionId};
use schemars::JsonSchema;
use serde::Deserialize;

/// Sign-in.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Login")]
pub struct Login {
    pub name: String,
    pub password: String,
    /// The one-time code, for accounts enrolled in TOTP.
    #[serde(default)]
    pub code: Option<String>,
}

/// A one-time code (TOTP).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Code")]
pub struct Code {
    pub code: String,
}

/// The optional body of a TOTP set-up: the current code, once the account has one.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "CurrentCode")]
pub struct CurrentCode {
    #[serde(default)]
    pub code: Option<String>,
}

/// A change of one's own password, giving the current one.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "PasswordChange")]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

/// A confirmation PIN.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Pin")]
pub struct Pin {
    #[schemars(regex(pattern = r"^[0-9]{4,12}$"))]
    pub pin: String,
}

/// What a challenge is for.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // a schema only: the purpose is parsed by coldset-app, which words its refusal
enum ChallengePurpose {
    Register,
    Confirm,
}

/// A passkey challenge: `register` for the caller's own new passkey, `confirm` for a person
/// present to confirm on this device with one of theirs.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "PasskeyChallenge")]
pub struct PasskeyChallenge {
    #[schemars(with = "Id")]
    pub person: PersonId,
    #[schemars(with = "ChallengePurpose")]
    pub purpose: String,
}

/// What a browser sends after `navigator.credentials.create` (base64url fields).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "PasskeyRegistration")]
pub struct PasskeyRegistration {
    pub credential_id: String,
    pub client_data: String,
    pub authenticator_data: String,
    /// `getPublicKey()`: SubjectPublicKeyInfo DER.
    pub public_key: String,
    /// `getPublicKeyAlgorithm()`: COSE algorithm, -7 for ES256.
    pub algorithm: i64,
}

impl From<PasskeyRegistration> for coldset_app::passkey::Registration {
    fn from(r: PasskeyRegistration) -> Self {
        let PasskeyRegistration { credential_id, client_data, authenticator_data, public_key, algorithm } = r;
        coldset_app::passkey::Registration { credential_id, client_data, authenticator_data, public_key, algorithm }
    }
}

/// An account's place in a production: the person it acts as.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Link {
    #[schemars(with = "Id")]
    pub production: ProductionId,
    #[schemars(with = "Id")]
    pub person: PersonId,
}

/// A new account (administrators).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "NewAccount")]
pub struct NewAccount {
    pub name: String,
    #[serde(default)]
    pub admin: bool,
    #[serde(default)]
    pub links: Vec<Link>,
}

/// What a token may do.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // a schema only: coldset-app checks the scopes asked for and words its refusal
enum TokenScope {
    Read,
    Write,
}

/// A new API token.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "NewToken")]
pub struct NewToken {
    #[schemars(with = "Vec<TokenScope>")]
    pub scopes: Vec<String>,
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub expires_in_days: Option<u32>,
}

/// A new production (administrators).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "NewProduction")]
pub struct NewProduction {
    #[schemars(with = "Id")]
    pub id: ProductionId,
    pub name: String,
    /// An IANA time zone, e.g. `America/Los_Angeles`.
    pub time_zone: String,
    #[schemars(with = "Vec<Pack>")]
    pub packs: Vec<String>,
    pub compliance_contact: String,
}

/// A photo sent with a safety report.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Photo {
    pub content_type: String,
    /// Base64 (standard alphabet) of the file.
    pub data: String,
}

/// A safety report, anonymous unless `reporter_name` is given.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "NewReport")]
pub struct NewReport {
    pub severity: Severity,
    pub text: String,
    #[serde(default)]
    pub subject: Option<String>,
    /// Left out for an anonymous report.
    #[serde(default)]
    pub reporter_name: Option<String>,
    #[serde(default)]
    pub photos: Vec<Photo>,
}

/// A report's follow-up key, and what to add to the report (`/followup/add` requires
/// `text`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Key")]
pub struct Key {
    pub key: String,
    #[serde(default)]
    pub text: Option<String>,
}

/// A report's follow-up key and the text to add: the schema of `/followup/add`, which reads
/// the body as [`Key`] and refuses it without `text`.
#[derive(JsonSchema)]
#[schemars(rename = "KeyText")]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // a schema only: see above
pub struct KeyText {
    pub key: String,
    pub text: String,
}
