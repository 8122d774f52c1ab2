//! The wire types of `/api/v1`: what a client sends and what it is answered, apart from the
//! domain's types (docs/adr/0008-wire-types.md). Each derives its JSON Schema from the same
//! serde attributes that parse or write it, and the OpenAPI document (`openapi.rs`) is made
//! from those schemas, so the document cannot describe a field the server does not read.
//!
//! A wire type is converted to and from its domain type field by field ([`Conv`], written by
//! the macros of vocab.rs with exhaustive patterns): a field renamed, added or removed in the
//! domain breaks the build here instead of silently changing the API. Leaf values whose JSON
//! is fixed text (ids, dates, rule ids) are the domain's own types, parsed as the domain
//! parses them; their schemas are given by the small types at the end of this module.
//!
//! Answers are written through [`answer`], which goes through a `serde_json::Value` as the
//! handlers did before (its object keys come out sorted), so the bytes a client reads stay
//! those it read before the wire types existed.

pub mod answers;
pub mod command;
pub mod records;
pub mod requests;
pub mod vocab;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// A conversion between a wire type and its domain type, in either direction. A trait of
/// its own (not `From`) so that lists, sets, maps and options of converted types convert
/// too, and so that the same-type conversions of the leaf values are written out, one per
/// type, rather than assumed.
pub trait Conv<T> {
    fn conv(self) -> T;
}

impl<A: Conv<B>, B> Conv<Vec<B>> for Vec<A> {
    fn conv(self) -> Vec<B> {
        self.into_iter().map(Conv::conv).collect()
    }
}

impl<A: Conv<B>, B: Ord> Conv<BTreeSet<B>> for BTreeSet<A> {
    fn conv(self) -> BTreeSet<B> {
        self.into_iter().map(Conv::conv).collect()
    }
}

impl<A: Conv<B>, B> Conv<Option<B>> for Option<A> {
    fn conv(self) -> Option<B> {
        self.map(Conv::conv)
    }
}

impl<K: Conv<K2>, K2: Ord, V: Conv<V2>, V2> Conv<BTreeMap<K2, V2>> for BTreeMap<K, V> {
    fn conv(self) -> BTreeMap<K2, V2> {
        self.into_iter().map(|(k, v)| (k.conv(), v.conv())).collect()
    }
}

/// Leaf values that are the same type on both sides.
macro_rules! same {
    ($($t:ty),* $(,)?) => {
        $(impl Conv<$t> for $t {
            fn conv(self) -> $t {
                self
            }
        })*
    };
}

use coldset_domain::ids::{ContainerId, FirearmId, LocationId, LotId, PersonId, ProductionId, SceneId};
same!(
    String,
    bool,
    u32,
    u64,
    ContainerId,
    FirearmId,
    LocationId,
    LotId,
    PersonId,
    ProductionId,
    SceneId,
    coldset_domain::time::Date,
    coldset_domain::RuleId,
);

/// An answer as JSON: through a `Value`, as every handler wrote its answers before (object
/// keys sorted), so the bytes stay the same.
pub(crate) fn answer<T: serde::Serialize>(value: &T) -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::to_value(value).unwrap_or(serde_json::Value::Null))
}

/// The schema of a record's id: how `coldset_domain::ids` parses one.
pub struct Id;

impl JsonSchema for Id {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Id".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,63}$" })
    }
}

/// The schema of a calendar date, `YYYY-MM-DD`.
pub struct Day;

impl JsonSchema for Day {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Day".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "format": "date" })
    }
}

/// The schema of an instant, RFC 3339 in UTC.
pub struct Instant;

impl JsonSchema for Instant {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Instant".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "format": "date-time" })
    }
}

/// The schema of a rule of the catalogue, by its stable id (docs/rules.md).
pub struct Rule;

impl JsonSchema for Rule {
    fn schema_name() -> Cow<'static, str> {
        "RuleId".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let ids: Vec<&str> = coldset_domain::RuleId::ALL.iter().map(|r| r.as_str()).collect();
        json_schema!({ "type": "string", "enum": ids })
    }
}

/// The schema of a policy pack's name (`coldset_domain::policy::PACKS`).
pub struct Pack;

impl JsonSchema for Pack {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Pack".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "enum": coldset_domain::policy::PACKS })
    }
}

/// A value whose shape is the domain's (an event's body, a stored record) and is not yet
/// described field by field here: documented as an object, with where its fields are.
pub struct DomainRecord;

impl JsonSchema for DomainRecord {
    fn schema_name() -> Cow<'static, str> {
        "DomainRecord".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "description": "A record as the domain keeps it: its fields are those of the matching type of crates/coldset-domain (model.rs, safety.rs, reporting.rs, events.rs).",
        })
    }
}
