//! Who may ask for what, by role. This is the coarse table (docs/permissions.md mirrors it
//! and a test compares the two). Custody and ammunition commands are open to every working
//! member of the production on purpose: the safety rules themselves then refuse the wrong
//! person with the rule id that forbids it (a 1st AD handing a gun to an actor is refused
//! under R-HAND-2, not with an anonymous "forbidden").

use crate::commands::Command;
use crate::model::Role;

/// Which roles may issue a command, by command name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowed {
    /// Only an installation administrator account.
    InstallationAdmin,
    /// Installation administrators, and people holding one of these roles.
    Roles(&'static [Role]),
    /// Every person of the production except read-only roles (auditor).
    AnyWorkingMember,
    /// Anyone, with or without an account (safety reports: R-COMP-1).
    Anyone,
    /// Only someone without an account: a reporter following up their report with its key.
    /// The key's hash is recorded where full readers see it, so a person of the production
    /// must not be able to present it in the reporter's name.
    Reporter,
    /// Only coldset itself (clock-driven work).
    System,
}

const SETUP: &[Role] = &[Role::Admin, Role::Producer];
const CREDENTIALS: &[Role] = &[Role::Admin, Role::Producer, Role::Armorer, Role::SafetyAdvisor];
const ARMORY_SETUP: &[Role] = &[Role::Admin, Role::Armorer];
const SCENES: &[Role] = &[Role::Admin, Role::Producer, Role::FirstAd, Role::Armorer];
const POLICY: &[Role] = &[Role::Admin, Role::Producer, Role::SafetyAdvisor];

/// The permission table: every command name, and who may issue it.
pub const PERMISSIONS: &[(&str, Allowed)] = &[
    ("create_production", Allowed::InstallationAdmin),
    ("add_person", Allowed::Roles(SETUP)),
    ("assign_role", Allowed::Roles(SETUP)),
    ("remove_role", Allowed::Roles(SETUP)),
    ("record_credential", Allowed::Roles(CREDENTIALS)),
    ("approve_supplier", Allowed::Roles(ARMORY_SETUP)),
    ("add_location", Allowed::Roles(ARMORY_SETUP)),
    ("plan_scene", Allowed::Roles(SCENES)),
    ("revise_plan", Allowed::Roles(SCENES)),
    ("change_policy", Allowed::Roles(POLICY)),
    ("require_second_factor", Allowed::Roles(POLICY)),
    ("approve_plan", Allowed::AnyWorkingMember),
    ("hold_meeting", Allowed::AnyWorkingMember),
    ("sign_off_meeting", Allowed::AnyWorkingMember),
    ("mark_scene_ready", Allowed::AnyWorkingMember),
    ("call_scene", Allowed::AnyWorkingMember),
    ("wrap_scene", Allowed::AnyWorkingMember),
    ("decline_firearm", Allowed::AnyWorkingMember),
    ("open_day", Allowed::AnyWorkingMember),
    ("close_day", Allowed::AnyWorkingMember),
    ("resolve_alert", Allowed::AnyWorkingMember),
    ("supervise_assistant", Allowed::AnyWorkingMember),
    ("record_competence", Allowed::AnyWorkingMember),
    ("inspect_firearm", Allowed::AnyWorkingMember),
    ("load_firearm", Allowed::AnyWorkingMember),
    ("declare_empty", Allowed::AnyWorkingMember),
    ("unload_firearm", Allowed::AnyWorkingMember),
    ("resolve_discrepancy", Allowed::AnyWorkingMember),
    ("acknowledge_demonstration", Allowed::AnyWorkingMember),
    ("acknowledge_shown", Allowed::AnyWorkingMember),
    ("place_hold", Allowed::AnyWorkingMember),
    ("lift_hold", Allowed::AnyWorkingMember),
    ("record_override", Allowed::AnyWorkingMember),
    ("set_contacts", Allowed::Roles(POLICY)),
    ("record_authority_notice", Allowed::AnyWorkingMember),
    ("record_transport", Allowed::AnyWorkingMember),
    ("record_live_exception", Allowed::AnyWorkingMember),
    ("file_report", Allowed::Anyone),
    ("add_to_report", Allowed::Reporter),
    ("acknowledge_report", Allowed::AnyWorkingMember),
    ("answer_report", Allowed::AnyWorkingMember),
    ("review_report", Allowed::AnyWorkingMember),
    ("close_report", Allowed::AnyWorkingMember),
    ("tick", Allowed::System),
    ("report_incident", Allowed::AnyWorkingMember),
    ("notify_regulator", Allowed::AnyWorkingMember),
    ("sign_investigation", Allowed::AnyWorkingMember),
    ("release_evidence", Allowed::AnyWorkingMember),
    ("open_storage", Allowed::AnyWorkingMember),
    ("close_storage", Allowed::AnyWorkingMember),
    ("intake_firearm", Allowed::AnyWorkingMember),
    ("store_firearm", Allowed::AnyWorkingMember),
    ("take_firearm", Allowed::AnyWorkingMember),
    ("hand_off", Allowed::AnyWorkingMember),
    ("collect", Allowed::AnyWorkingMember),
    ("withdraw_firearm", Allowed::AnyWorkingMember),
    ("record_repair", Allowed::AnyWorkingMember),
    ("dispose_firearm", Allowed::AnyWorkingMember),
    ("correct_firearm_details", Allowed::AnyWorkingMember),
    ("intake_lot", Allowed::AnyWorkingMember),
    ("verify_lot", Allowed::AnyWorkingMember),
    ("create_container", Allowed::AnyWorkingMember),
    ("move_rounds", Allowed::AnyWorkingMember),
    ("store_container", Allowed::AnyWorkingMember),
    ("take_container", Allowed::AnyWorkingMember),
    ("hand_container", Allowed::AnyWorkingMember),
];

/// Roles that read but never change anything.
pub const READ_ONLY_ROLES: &[Role] = &[Role::Auditor];

pub fn allowed_for(command: &Command) -> Allowed {
    let name = command.name();
    PERMISSIONS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, a)| *a)
        // A command missing from the table is nobody's: fail closed.
        .unwrap_or(Allowed::InstallationAdmin)
}

/// Whether a person holding `roles` may issue `command` (installation admins are checked
/// separately by the caller).
pub fn person_may(roles: &std::collections::BTreeSet<Role>, command: &Command) -> bool {
    match allowed_for(command) {
        Allowed::InstallationAdmin => false,
        Allowed::Roles(allowed) => roles.iter().any(|r| allowed.contains(r)),
        Allowed::AnyWorkingMember => roles.iter().any(|r| !READ_ONLY_ROLES.contains(r)),
        Allowed::Anyone => true,
        Allowed::Reporter | Allowed::System => false,
    }
}

/// Whether an installation administrator may issue `command`: setup only, never custody
/// (an account is not a person who can physically hold a firearm).
pub fn admin_may(command: &Command) -> bool {
    matches!(allowed_for(command), Allowed::InstallationAdmin | Allowed::Roles(_) | Allowed::Anyone)
}

/// Whether someone without an account may issue `command`.
pub fn anonymous_may(command: &Command) -> bool {
    matches!(allowed_for(command), Allowed::Anyone | Allowed::Reporter)
}

/// Whether coldset itself may issue `command`.
pub fn system_may(command: &Command) -> bool {
    matches!(allowed_for(command), Allowed::System)
}

/// The permission table as docs/permissions.md shows it (one row per command).
pub fn table_markdown() -> String {
    let mut out = String::from("| command | who may issue it |\n|---|---|\n");
    for (name, allowed) in PERMISSIONS {
        let who = match allowed {
            Allowed::InstallationAdmin => "installation administrator".to_owned(),
            Allowed::Roles(roles) => {
                let mut r: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
                r.insert(0, "installation administrator");
                r.join(", ")
            }
            Allowed::AnyWorkingMember => {
                "any person of the production except auditors; the safety rules decide".to_owned()
            }
            Allowed::Anyone => "anyone, without an account".to_owned(),
            Allowed::Reporter => "the reporter, without an account, with the report's follow-up key".to_owned(),
            Allowed::System => "coldset itself (clock)".to_owned(),
        };
        out.push_str(&format!("| `{name}` | {who} |\n"));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    /// docs/permissions.md shows exactly the table the code enforces.
    #[test]
    fn the_documented_table_is_the_enforced_one() {
        let doc = include_str!("../../../docs/permissions.md");
        let start = doc.find("<!-- table:start -->").expect("start marker") + "<!-- table:start -->".len();
        let end = doc.find("<!-- table:end -->").expect("end marker");
        assert_eq!(
            doc[start..end].trim(),
            super::table_markdown().trim(),
            "regenerate the table in docs/permissions.md"
        );
    }
}
