//! Identifiers. Each kind of record has its own newtype so that a firearm id can never be
//! passed where a person id is expected. Ids are short ASCII slugs, assigned by the domain
//! from per-production counters (so replaying the log assigns the same ids again).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a piece of text is not a valid id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{text}' is not a valid {kind} id: use 1 to 64 characters a-z, 0-9 and '-', starting with a letter or digit")]
pub struct IdError {
    pub kind: &'static str,
    pub text: String,
}

fn valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
}

macro_rules! id_type {
    ($name:ident, $kind:literal, $prefix:literal) => {
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The prefix of ids the domain assigns to this kind of record.
            pub const PREFIX: &'static str = $prefix;

            pub fn parse(text: &str) -> Result<Self, IdError> {
                if valid_slug(text) {
                    Ok(Self(text.to_owned()))
                } else {
                    Err(IdError { kind: $kind, text: text.to_owned() })
                }
            }

            /// The id with sequence number `n` (as assigned by the domain).
            pub fn numbered(n: u64) -> Self {
                Self(format!("{}{}", $prefix, n))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::parse(s)
            }
        }
    };
}

id_type!(ProductionId, "production", "prod-");
id_type!(PersonId, "person", "p-");
id_type!(FirearmId, "firearm", "fa-");
id_type!(LotId, "ammunition lot", "lot-");
id_type!(ContainerId, "container", "ct-");
id_type!(LocationId, "storage location", "loc-");
id_type!(SceneId, "scene", "sc-");

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_slugs_and_refuse_anything_else() {
        assert!(FirearmId::parse("fa-1").is_ok());
        assert!(FirearmId::parse("").is_err());
        assert!(FirearmId::parse("-x").is_err());
        assert!(FirearmId::parse("Fa-1").is_err());
        assert!(FirearmId::parse("fa 1").is_err());
        assert!(FirearmId::parse(&"a".repeat(65)).is_err());
        assert_eq!(FirearmId::numbered(7).as_str(), "fa-7");
    }
}
