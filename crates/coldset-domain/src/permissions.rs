//! Who may ask for what, by role. This is the coarse table (docs/permissions.md mirrors it
//! and a test compares the two). Custody and ammunition commands are open to every working
//! member of the production on purpose: the safety rules themselves then refuse the wrong
//! person with the rule id that forbids it (a 1st AD handing a gun to an actor is refused
//! under R-HAND-2, not with an anonymous "forbidden").

use crate::commands::{Command, CommandKind};
use crate::model::Role;

/// Which roles may issue a command.
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

impl CommandKind {
    /// Who may issue this command. Exhaustive on purpose (no catch-all arm): a new command does
    /// not compile until it has its row.
    pub const fn allowed(self) -> Allowed {
        match self {
            CommandKind::CreateProduction => Allowed::InstallationAdmin,
            CommandKind::AddPerson => Allowed::Roles(SETUP),
            CommandKind::AssignRole => Allowed::Roles(SETUP),
            CommandKind::RemoveRole => Allowed::Roles(SETUP),
            CommandKind::RecordCredential => Allowed::Roles(CREDENTIALS),
            CommandKind::CorrectCredential => Allowed::Roles(CREDENTIALS),
            CommandKind::ApproveSupplier => Allowed::Roles(ARMORY_SETUP),
            CommandKind::AddLocation => Allowed::Roles(ARMORY_SETUP),
            CommandKind::PlanScene => Allowed::Roles(SCENES),
            CommandKind::RevisePlan => Allowed::Roles(SCENES),
            CommandKind::ChangePolicy => Allowed::Roles(POLICY),
            CommandKind::RequireSecondFactor => Allowed::Roles(POLICY),
            CommandKind::ApprovePlan => Allowed::AnyWorkingMember,
            CommandKind::HoldMeeting => Allowed::AnyWorkingMember,
            CommandKind::SignOffMeeting => Allowed::AnyWorkingMember,
            CommandKind::MarkSceneReady => Allowed::AnyWorkingMember,
            CommandKind::CallScene => Allowed::AnyWorkingMember,
            CommandKind::WrapScene => Allowed::AnyWorkingMember,
            CommandKind::DeclineFirearm => Allowed::AnyWorkingMember,
            CommandKind::OpenDay => Allowed::AnyWorkingMember,
            CommandKind::CloseDay => Allowed::AnyWorkingMember,
            CommandKind::ResolveAlert => Allowed::AnyWorkingMember,
            CommandKind::SuperviseAssistant => Allowed::AnyWorkingMember,
            CommandKind::RecordCompetence => Allowed::AnyWorkingMember,
            CommandKind::InspectFirearm => Allowed::AnyWorkingMember,
            CommandKind::LoadFirearm => Allowed::AnyWorkingMember,
            CommandKind::DeclareEmpty => Allowed::AnyWorkingMember,
            CommandKind::UnloadFirearm => Allowed::AnyWorkingMember,
            CommandKind::ResolveDiscrepancy => Allowed::AnyWorkingMember,
            CommandKind::AcknowledgeDemonstration => Allowed::AnyWorkingMember,
            CommandKind::AcknowledgeShown => Allowed::AnyWorkingMember,
            CommandKind::PlaceHold => Allowed::AnyWorkingMember,
            CommandKind::LiftHold => Allowed::AnyWorkingMember,
            CommandKind::RecordOverride => Allowed::AnyWorkingMember,
            CommandKind::SetContacts => Allowed::Roles(POLICY),
            CommandKind::SetRecipients => Allowed::Roles(POLICY),
            CommandKind::RecordAuthorityNotice => Allowed::AnyWorkingMember,
            CommandKind::RecordTransport => Allowed::AnyWorkingMember,
            CommandKind::RecordLiveException => Allowed::AnyWorkingMember,
            CommandKind::FileReport => Allowed::Anyone,
            CommandKind::AddToReport => Allowed::Reporter,
            CommandKind::AcknowledgeReport => Allowed::AnyWorkingMember,
            CommandKind::AnswerReport => Allowed::AnyWorkingMember,
            CommandKind::ReviewReport => Allowed::AnyWorkingMember,
            CommandKind::CloseReport => Allowed::AnyWorkingMember,
            CommandKind::Tick => Allowed::System,
            CommandKind::ReportIncident => Allowed::AnyWorkingMember,
            CommandKind::NotifyRegulator => Allowed::AnyWorkingMember,
            CommandKind::SignInvestigation => Allowed::AnyWorkingMember,
            CommandKind::ReleaseEvidence => Allowed::AnyWorkingMember,
            CommandKind::OpenStorage => Allowed::AnyWorkingMember,
            CommandKind::CloseStorage => Allowed::AnyWorkingMember,
            CommandKind::IntakeFirearm => Allowed::AnyWorkingMember,
            CommandKind::StoreFirearm => Allowed::AnyWorkingMember,
            CommandKind::TakeFirearm => Allowed::AnyWorkingMember,
            CommandKind::HandOff => Allowed::AnyWorkingMember,
            CommandKind::Collect => Allowed::AnyWorkingMember,
            CommandKind::WithdrawFirearm => Allowed::AnyWorkingMember,
            CommandKind::RecordRepair => Allowed::AnyWorkingMember,
            CommandKind::DisposeFirearm => Allowed::AnyWorkingMember,
            CommandKind::CorrectFirearmDetails => Allowed::AnyWorkingMember,
            CommandKind::IntakeLot => Allowed::AnyWorkingMember,
            CommandKind::VerifyLot => Allowed::AnyWorkingMember,
            CommandKind::CreateContainer => Allowed::AnyWorkingMember,
            CommandKind::MoveRounds => Allowed::AnyWorkingMember,
            CommandKind::StoreContainer => Allowed::AnyWorkingMember,
            CommandKind::TakeContainer => Allowed::AnyWorkingMember,
            CommandKind::HandContainer => Allowed::AnyWorkingMember,
        }
    }
}

impl Command {
    /// Who may issue this command (see `CommandKind::allowed`).
    pub fn allowed(&self) -> Allowed {
        self.kind().allowed()
    }
}

/// The permission table as a list, in `CommandKind::ALL`'s order: every command name and who
/// may issue it, for docs/permissions.md and the API's description. Derived from
/// `CommandKind::allowed`, never looked up by the decider.
pub const PERMISSIONS: [(&str, Allowed); CommandKind::ALL.len()] = {
    let mut out = [("", Allowed::System); CommandKind::ALL.len()];
    let mut i = 0;
    while i < out.len() {
        let kind = CommandKind::ALL[i];
        out[i] = (kind.name(), kind.allowed());
        i += 1;
    }
    out
};

/// Roles that read but never change anything.
pub const READ_ONLY_ROLES: &[Role] = &[Role::Auditor];

impl Allowed {
    /// Whether a person holding `roles` may issue the command (installation admins are
    /// checked separately by the caller).
    pub fn person_may(self, roles: &std::collections::BTreeSet<Role>) -> bool {
        match self {
            Allowed::InstallationAdmin => false,
            Allowed::Roles(allowed) => roles.iter().any(|r| allowed.contains(r)),
            Allowed::AnyWorkingMember => roles.iter().any(|r| !READ_ONLY_ROLES.contains(r)),
            Allowed::Anyone => true,
            Allowed::Reporter | Allowed::System => false,
        }
    }

    /// Whether an installation administrator may issue the command: setup only, never custody
    /// (an account is not a person who can physically hold a firearm).
    pub fn admin_may(self) -> bool {
        matches!(self, Allowed::InstallationAdmin | Allowed::Roles(_) | Allowed::Anyone)
    }

    /// Whether someone without an account may issue the command.
    pub fn anonymous_may(self) -> bool {
        matches!(self, Allowed::Anyone | Allowed::Reporter)
    }

    /// Whether coldset itself may issue the command.
    pub fn system_may(self) -> bool {
        matches!(self, Allowed::System)
    }
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
