//! Policy packs as data: which rules are hard gates and with which numbers. A production
//! names one or more packs; where they differ the strictest setting wins (the smaller
//! time-out or ratio, the larger distance or wait, a gate over an alert). Changing the
//! packs is itself an event (`policy.changed`).
//!
//! The numbers are the rule catalogue's defaults (shared/domain/rules.md) unless a pack's
//! note says otherwise; they are ours to review with each jurisdiction's safety office.

use crate::rules::RuleId;
use serde::Serialize;
use std::collections::BTreeSet;

/// The settings in force for a production.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// R-HAND-3 / R-HAND-4: a firearm out longer than this raises an alert; a pre-use
    /// inspection older than this no longer counts.
    pub time_out_minutes: i64,
    /// R-MISF-1: wait after a misfire before the armorer clears the weapon.
    pub misfire_wait_seconds: i64,
    /// R-STAFF-1: per armorer on set.
    pub max_firearms_out_per_armorer: u32,
    pub max_armed_performers_per_armorer: u32,
    /// R-DIST-1: nobody closer to the muzzle line with blanks (centimetres; 20 ft = 610).
    pub blank_min_distance_cm: u32,
    /// R-COMP-1: a safety report is acknowledged within this many minutes.
    pub report_ack_minutes: i64,
    /// R-REC-1 / CA pilot: the safety advisor approves scene plans too.
    pub safety_advisor_approves_plans: bool,
    /// Rules that are ALERT in the catalogue but hard gates under this policy.
    pub hard_gates: BTreeSet<RuleId>,
}

/// A pack: a name and how it changes the defaults.
struct Pack {
    name: &'static str,
    apply: fn(&mut Policy),
}

fn defaults() -> Policy {
    Policy {
        time_out_minutes: 20,
        misfire_wait_seconds: 30,
        max_firearms_out_per_armorer: 10,
        max_armed_performers_per_armorer: 4,
        blank_min_distance_cm: 610,
        report_ack_minutes: 120,
        safety_advisor_approves_plans: false,
        hard_gates: BTreeSet::new(),
    }
}

const PACK_TABLE: &[Pack] = &[
    // Industry Bulletin #1 and trade practice: the catalogue's defaults.
    Pack { name: "industry-us", apply: |_| {} },
    // California Labor Code 9150-9161 (2025): the safety advisor approves plans and may
    // halt work; the advisor holds no other role and crew near firearms are trained: hard
    // gates. (Naming the compliance contact, R-ROLE-5, is required of every production.)
    Pack {
        name: "california-2025",
        apply: |p| {
            p.safety_advisor_approves_plans = true;
            p.hard_gates.extend([RuleId::Role6, RuleId::Train1]);
        },
    },
    // New South Wales: a shorter time-out out of storage (our choice). The weapon register
    // (R-REC-2) is the custody ledger itself, kept for every production.
    Pack {
        name: "nsw-au",
        apply: |p| {
            p.time_out_minutes = p.time_out_minutes.min(15);
        },
    },
    // UK (HSE / NOS guidance): a longer misfire wait (our reading of the guidance).
    Pack {
        name: "uk",
        apply: |p| {
            p.misfire_wait_seconds = p.misfire_wait_seconds.max(60);
        },
    },
];

/// The packs this build knows.
pub const PACKS: &[&str] = &["industry-us", "california-2025", "nsw-au", "uk"];

/// Rules an armorer may override with a recorded reason. Never R-AMMO-1, R-HAND-2,
/// R-DECL-1 or R-MISF-2 (the issue forbids it), nor any rule about who holds a gun.
pub const OVERRIDABLE: &[RuleId] = &[RuleId::Staff1, RuleId::Train2];

/// The policy for a set of packs: each pack applied to the defaults separately, then the
/// strictest value of each setting taken.
pub fn policy_for(packs: &[String]) -> Policy {
    let mut out = defaults();
    for name in packs {
        if let Some(pack) = PACK_TABLE.iter().find(|p| p.name == name) {
            let mut p = defaults();
            (pack.apply)(&mut p);
            out.time_out_minutes = out.time_out_minutes.min(p.time_out_minutes);
            out.misfire_wait_seconds = out.misfire_wait_seconds.max(p.misfire_wait_seconds);
            out.max_firearms_out_per_armorer = out.max_firearms_out_per_armorer.min(p.max_firearms_out_per_armorer);
            out.max_armed_performers_per_armorer =
                out.max_armed_performers_per_armorer.min(p.max_armed_performers_per_armorer);
            out.blank_min_distance_cm = out.blank_min_distance_cm.max(p.blank_min_distance_cm);
            out.report_ack_minutes = out.report_ack_minutes.min(p.report_ack_minutes);
            out.safety_advisor_approves_plans |= p.safety_advisor_approves_plans;
            out.hard_gates.extend(p.hard_gates);
        }
    }
    out
}

impl Policy {
    pub fn is_hard_gate(&self, rule: RuleId) -> bool {
        self.hard_gates.contains(&rule)
    }
}

/// Checks a production's pack list: at least one, all known, no repeats; sorted so the
/// recorded list does not depend on the order someone typed them in.
pub fn parse_packs(packs: &[String]) -> Result<Vec<String>, String> {
    if packs.is_empty() {
        return Err(format!("name at least one policy pack ({})", PACKS.join(", ")));
    }
    let mut out = Vec::new();
    for p in packs {
        let p = p.trim();
        if !PACKS.contains(&p) {
            return Err(format!("'{p}' is not a policy pack: use {}", PACKS.join(", ")));
        }
        if !out.iter().any(|q: &String| q == p) {
            out.push(p.to_owned());
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn the_strictest_setting_wins() {
        let us = policy_for(&["industry-us".into()]);
        assert_eq!(us.time_out_minutes, 20);
        assert!(!us.safety_advisor_approves_plans);
        let both = policy_for(&["industry-us".into(), "nsw-au".into(), "uk".into(), "california-2025".into()]);
        assert_eq!(both.time_out_minutes, 15);
        assert_eq!(both.misfire_wait_seconds, 60);
        assert!(both.safety_advisor_approves_plans);
        assert!(both.is_hard_gate(RuleId::Role6) && both.is_hard_gate(RuleId::Train1));
        assert!(PACKS.iter().all(|n| PACK_TABLE.iter().any(|p| p.name == *n)));
        for forbidden in [RuleId::Ammo1, RuleId::Hand2, RuleId::Decl1, RuleId::Misf2] {
            assert!(!OVERRIDABLE.contains(&forbidden));
        }
    }
}
