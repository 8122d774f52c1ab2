//! The rule catalogue's stable ids (shared/domain/rules.md) and the shape of a refusal.
//! A refusal always lists every rule that failed, a plain sentence for each, and what
//! would make the action allowed.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

macro_rules! rule_ids {
    ($($variant:ident => $text:literal),+ $(,)?) => {
        /// A rule of the catalogue, by its stable id.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum RuleId {
            $(#[serde(rename = $text)] $variant,)+
        }

        impl RuleId {
            pub const ALL: &'static [RuleId] = &[$(RuleId::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(RuleId::$variant => $text,)+ }
            }

            pub fn parse(text: &str) -> Option<RuleId> {
                match text { $($text => Some(RuleId::$variant),)+ _ => None }
            }
        }
    };
}

rule_ids! {
    Role1 => "R-ROLE-1", Role2 => "R-ROLE-2", Role3 => "R-ROLE-3", Role4 => "R-ROLE-4",
    Role5 => "R-ROLE-5", Role6 => "R-ROLE-6", Staff1 => "R-STAFF-1", Staff2 => "R-STAFF-2",
    Train1 => "R-TRAIN-1", Train2 => "R-TRAIN-2", Train3 => "R-TRAIN-3",
    Store1 => "R-STORE-1", Store2 => "R-STORE-2", Store3 => "R-STORE-3", Store4 => "R-STORE-4",
    Store5 => "R-STORE-5", Store6 => "R-STORE-6",
    Ammo1 => "R-AMMO-1", Ammo2 => "R-AMMO-2", Ammo3 => "R-AMMO-3", Ammo4 => "R-AMMO-4",
    Ammo5 => "R-AMMO-5", Ammo6 => "R-AMMO-6", Ammo7 => "R-AMMO-7",
    // Not in the shared catalogue: added by coldset (issue #16), see docs/rules.md.
    Ammo8 => "R-AMMO-8",
    Hand1 => "R-HAND-1", Hand2 => "R-HAND-2", Hand3 => "R-HAND-3", Hand4 => "R-HAND-4",
    Hand5 => "R-HAND-5", Hand6 => "R-HAND-6", Check1 => "R-CHECK-1", Check2 => "R-CHECK-2",
    Decl1 => "R-DECL-1", Meet1 => "R-MEET-1", Meet2 => "R-MEET-2", Meet3 => "R-MEET-3",
    Meet4 => "R-MEET-4", Reh1 => "R-REH-1", Reh2 => "R-REH-2", Aim1 => "R-AIM-1",
    Dist1 => "R-DIST-1", Dist2 => "R-DIST-2", Cam1 => "R-CAM-1", Misf1 => "R-MISF-1",
    Misf2 => "R-MISF-2", Inc1 => "R-INC-1", Inc2 => "R-INC-2", Comp1 => "R-COMP-1",
    Comp2 => "R-COMP-2", Notif1 => "R-NOTIF-1", Med1 => "R-MED-1", Rec1 => "R-REC-1",
    Rec2 => "R-REC-2", Rec3 => "R-REC-3", Rec4 => "R-REC-4", Rec5 => "R-REC-5", Rec6 => "R-REC-6",
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One broken rule: which, why (a plain sentence), and what would make it allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub rule: RuleId,
    pub reason: String,
    /// Remedies are fixed sentences of the catalogue, so they are borrowed, not copied: the
    /// gate query builds a refusal on every call.
    pub remedy: Cow<'static, str>,
}

/// A refusal: every rule that failed, not only the first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Denial {
    pub violations: Vec<Violation>,
}

impl Denial {
    pub fn rule_ids(&self) -> Vec<RuleId> {
        let mut ids: Vec<RuleId> = self.violations.iter().map(|v| v.rule).collect();
        ids.sort();
        ids.dedup();
        ids
    }

    pub fn has(&self, rule: RuleId) -> bool {
        self.violations.iter().any(|v| v.rule == rule)
    }
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.violations.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "[{}] {} To proceed: {}", v.rule, v.reason, v.remedy)?;
        }
        Ok(())
    }
}

/// Collects violations while a command is checked, so one refusal can name them all.
#[derive(Debug, Default)]
pub struct Checks {
    violations: Vec<Violation>,
}

impl Checks {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a violation of `rule` unless `ok` holds.
    pub fn require(&mut self, ok: bool, rule: RuleId, reason: impl FnOnce() -> String, remedy: &'static str) {
        if !ok {
            self.violations.push(Violation { rule, reason: reason(), remedy: Cow::Borrowed(remedy) });
        }
    }

    pub fn fail(&mut self, rule: RuleId, reason: String, remedy: &'static str) {
        self.violations.push(Violation { rule, reason, remedy: Cow::Borrowed(remedy) });
    }

    pub fn is_clear(&self) -> bool {
        self.violations.is_empty()
    }

    pub fn finish(self) -> Result<(), Denial> {
        if self.violations.is_empty() {
            Ok(())
        } else {
            Err(Denial { violations: self.violations })
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_id_round_trips_through_its_text() {
        for id in RuleId::ALL {
            assert_eq!(RuleId::parse(id.as_str()), Some(*id));
            let json = serde_json::to_string(id).unwrap();
            assert_eq!(json, format!("\"{}\"", id.as_str()));
        }
        assert_eq!(RuleId::ALL.len(), 58);
    }
}
