//! The decider: given the current state, who is asking, and what, either refuse (naming
//! every rule that forbids it) or return the events to record. Pure: no clock, no I/O;
//! the caller passes the instant and the production's local date.
//!
//! `decide` checks the permission (an exhaustive function of the command, permissions.rs),
//! then hands the command to its area with one exhaustive `match`: people.rs, storage.rs,
//! firearm.rs (with the hand-off gate, gate.rs), ammunition.rs, scene.rs, reports.rs. A new
//! `Command` variant does not compile until it is handled here. The checks the areas share
//! live in checks.rs.

pub use crate::checks::Context;
pub use crate::error::DomainError;

use crate::checks::{check_not_frozen, Decider};
use crate::commands::Command;
use crate::events::{Actor, Event};
use crate::ids::*;
use crate::rules::{Checks, Denial};
use crate::state::ProductionState;
use std::collections::BTreeMap;

/// Decides a command. On success the events are in the order they must be recorded.
pub fn decide(
    state: &ProductionState,
    ctx: &Context,
    actor: &Actor,
    command: &Command,
) -> Result<Vec<Event>, DomainError> {
    authorize(state, actor, command)?;
    let decided = dispatch(&Decider { state, ctx, actor }, command);
    // R-INC-2 by construction: whatever the command's own checks say, an item it would move
    // that is frozen as evidence refuses it, and the refusal lists every other failing rule.
    let (firearms, containers) = moved_items(state, command);
    let mut frozen = Checks::new();
    for f in &firearms {
        check_not_frozen(&mut frozen, state, Some(f), None);
    }
    for ct in &containers {
        check_not_frozen(&mut frozen, state, None, Some(ct));
    }
    let Err(frozen) = frozen.finish() else { return decided };
    let mut violations = match decided {
        Err(DomainError::Denied(d)) => d.violations,
        _ => Vec::new(),
    };
    for v in frozen.violations {
        // The hand-off gate checks it too (for its query form): name it once.
        if !violations.contains(&v) {
            violations.push(v);
        }
    }
    Err(DomainError::Denied(Denial { violations }))
}

/// The firearms and containers a command would move, load, unload, hand on, transport,
/// store, repair or dispose of: what R-INC-2 keeps still while it is frozen as evidence.
/// Exhaustive on purpose (no `_` arm): a new command does not compile until it is classified.
///
/// Deliberately not moves: collecting a firearm from a performer (a firearm is never left in
/// a performer's hands, and the collection is recorded in the custody chain), withdrawing it
/// as faulty, inspecting it and the records about it (acknowledgements, corrections).
pub fn moved_items(state: &ProductionState, command: &Command) -> (Vec<FirearmId>, Vec<ContainerId>) {
    let one = |f: &FirearmId| vec![f.clone()];
    match command {
        Command::StoreFirearm { firearm, .. }
        | Command::TakeFirearm { firearm, .. }
        | Command::HandOff { firearm, .. }
        | Command::RecordRepair { firearm, .. }
        | Command::DisposeFirearm { firearm, .. }
        | Command::DeclareEmpty { firearm } => (one(firearm), Vec::new()),
        Command::LoadFirearm { firearm, container, .. } => (one(firearm), vec![container.clone()]),
        Command::UnloadFirearm { firearm, .. } => {
            let issued = state.firearms.get(firearm).and_then(|f| f.checks.issued.as_ref());
            (one(firearm), issued.map(|i| vec![i.container.clone()]).unwrap_or_default())
        }
        Command::MoveRounds { from, to, .. } => (Vec::new(), vec![from.clone(), to.clone()]),
        Command::StoreContainer { container, .. }
        | Command::TakeContainer { container }
        | Command::HandContainer { container, .. } => (Vec::new(), vec![container.clone()]),
        Command::RecordTransport { firearms, containers, .. } => (firearms.clone(), containers.clone()),
        Command::Collect { .. }
        | Command::WithdrawFirearm { .. }
        | Command::InspectFirearm { .. }
        | Command::CorrectFirearmDetails { .. }
        | Command::AcknowledgeDemonstration { .. }
        | Command::AcknowledgeShown { .. }
        | Command::CreateProduction { .. }
        | Command::AddPerson { .. }
        | Command::AssignRole { .. }
        | Command::RemoveRole { .. }
        | Command::RecordCredential { .. }
        | Command::CorrectCredential { .. }
        | Command::ApproveSupplier { .. }
        | Command::AddLocation { .. }
        | Command::OpenStorage { .. }
        | Command::CloseStorage { .. }
        | Command::IntakeFirearm { .. }
        | Command::IntakeLot { .. }
        | Command::VerifyLot { .. }
        | Command::CreateContainer { .. }
        | Command::PlanScene { .. }
        | Command::RevisePlan { .. }
        | Command::ApprovePlan { .. }
        | Command::HoldMeeting { .. }
        | Command::SignOffMeeting { .. }
        | Command::MarkSceneReady { .. }
        | Command::CallScene { .. }
        | Command::WrapScene { .. }
        | Command::DeclineFirearm { .. }
        | Command::ChangePolicy { .. }
        | Command::RequireSecondFactor { .. }
        | Command::OpenDay { .. }
        | Command::CloseDay { .. }
        | Command::ResolveAlert { .. }
        | Command::SuperviseAssistant { .. }
        | Command::RecordCompetence { .. }
        | Command::ResolveDiscrepancy { .. }
        | Command::PlaceHold { .. }
        | Command::LiftHold { .. }
        | Command::RecordOverride { .. }
        | Command::RecordAuthorityNotice { .. }
        | Command::RecordLiveException { .. }
        | Command::SetContacts { .. }
        | Command::SetRecipients { .. }
        | Command::FileReport { .. }
        | Command::AddToReport { .. }
        | Command::AcknowledgeReport { .. }
        | Command::AnswerReport { .. }
        | Command::ReviewReport { .. }
        | Command::CloseReport { .. }
        | Command::Tick
        | Command::ReportIncident { .. }
        | Command::NotifyRegulator { .. }
        | Command::SignInvestigation { .. }
        | Command::ReleaseEvidence { .. } => (Vec::new(), Vec::new()),
    }
}

/// The permission table check (see permissions.rs).
pub fn authorize(state: &ProductionState, actor: &Actor, command: &Command) -> Result<(), DomainError> {
    match actor {
        Actor::Admin { .. } => {
            if command.allowed().admin_may() {
                Ok(())
            } else {
                Err(DomainError::Forbidden(format!(
                    "an administrator account cannot {}: custody steps are done by the people on set",
                    command.name().replace('_', " ")
                )))
            }
        }
        Actor::Anonymous => {
            if command.allowed().anonymous_may() {
                Ok(())
            } else {
                Err(DomainError::Forbidden(
                    "sign in to do this; without an account you can file and follow up safety reports".into(),
                ))
            }
        }
        Actor::System => {
            if command.allowed().system_may() {
                Ok(())
            } else {
                Err(DomainError::Forbidden("coldset itself only runs clock-driven work".into()))
            }
        }
        Actor::Person { person } => {
            let p = state
                .people
                .get(person)
                .ok_or_else(|| DomainError::Forbidden(format!("{person} is not a member of this production")))?;
            if command.allowed().person_may(&p.roles) {
                Ok(())
            } else {
                Err(DomainError::Forbidden(format!(
                    "{} ({}) may not {}",
                    p.name,
                    p.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "),
                    command.name().replace('_', " ")
                )))
            }
        }
    }
}

/// One arm per command, each handed to its area: exhaustive on purpose (no catch-all arm).
fn dispatch(d: &Decider<'_>, command: &Command) -> Result<Vec<Event>, DomainError> {
    if d.state.info.is_none() && !matches!(command, Command::CreateProduction { .. }) {
        return Err(DomainError::NotFound { what: "production", id: String::new() });
    }
    match command {
        // people.rs
        Command::CreateProduction { id, name, time_zone, packs, compliance_contact } => {
            d.create_production(id, name, time_zone, packs, compliance_contact)
        }
        Command::AddPerson { name, roles } => d.add_person(name, roles),
        Command::AssignRole { person, role } => d.assign_role(person, role),
        Command::RemoveRole { person, role } => d.remove_role(person, role),
        Command::RecordCredential { person, credential } => d.record_credential(person, credential),
        Command::CorrectCredential { person, corrects_seq, reason, credential } => {
            d.correct_credential(person, *corrects_seq, reason, credential)
        }
        Command::ChangePolicy { packs } => d.change_policy(packs),
        Command::RequireSecondFactor { roles } => d.require_second_factor(roles),
        Command::SuperviseAssistant { assistant } => d.supervise_assistant(assistant),
        Command::RecordCompetence { person, firearm, notes } => d.record_competence(person, firearm, notes),
        // storage.rs
        Command::AddLocation { name, kind, authorised } => d.add_location(name, kind, authorised),
        Command::OpenStorage { location } => d.open_storage(location),
        Command::CloseStorage { location } => d.close_storage(location),
        Command::RecordTransport { firearms, containers, from, to, locked_case } => {
            d.record_transport(firearms, containers, from, to, locked_case)
        }
        // firearm.rs (the hand-off through gate.rs)
        Command::IntakeFirearm { kind, make, model, serial, calibre, condition, acquired_from } => {
            d.intake_firearm(kind, make, model, serial, calibre, condition, acquired_from)
        }
        Command::StoreFirearm { firearm, location } => d.store_firearm(firearm, location),
        Command::TakeFirearm { firearm, scene } => d.take_firearm(firearm, scene.as_ref()),
        Command::HandOff { firearm, to, scene } => d.hand_off(firearm, to, scene),
        Command::Collect { firearm } => d.collect(firearm),
        Command::WithdrawFirearm { firearm, reason } => d.withdraw_firearm(firearm, reason),
        Command::RecordRepair { firearm, repaired_by, notes } => d.record_repair(firearm, repaired_by, notes),
        Command::DisposeFirearm { firearm, disposition, to } => d.dispose_firearm(firearm, disposition, to),
        Command::CorrectFirearmDetails { firearm, corrects_seq, reason, make, model, serial, calibre } => {
            d.correct_firearm_details(firearm, corrects_seq, reason, make, model, serial, calibre)
        }
        Command::InspectFirearm { firearm, stage, barrel_clear, fault } => {
            d.inspect_firearm(firearm, stage, barrel_clear, fault)
        }
        Command::LoadFirearm { firearm, container, count, dummy_check } => {
            d.load_firearm(firearm, container, *count, *dummy_check)
        }
        Command::DeclareEmpty { firearm } => d.declare_empty(firearm),
        Command::UnloadFirearm { firearm, fired, returned } => d.unload_firearm(firearm, *fired, *returned),
        Command::AcknowledgeDemonstration { firearm } => d.acknowledge_demonstration(firearm),
        Command::AcknowledgeShown { firearm } => d.acknowledge_shown(firearm),
        // ammunition.rs
        Command::ApproveSupplier { supplier } => d.approve_supplier(supplier),
        Command::IntakeLot { class, calibre, rounds, provenance, home_made, container_label } => {
            d.intake_lot(class, calibre, *rounds, provenance, *home_made, container_label)
        }
        Command::VerifyLot { lot, method, rounds_checked, other_class_found } => {
            d.verify_lot(lot, *method, *rounds_checked, *other_class_found)
        }
        Command::CreateContainer { label, class, calibre } => d.create_container(label, class, calibre),
        Command::MoveRounds { from, to, rounds } => d.move_rounds(from, to, *rounds),
        Command::StoreContainer { container, location } => d.store_container(container, location),
        Command::TakeContainer { container } => d.take_container(container),
        Command::HandContainer { container, to } => d.hand_container(container, to),
        Command::ResolveDiscrepancy { class, explanation } => d.resolve_discrepancy(class, explanation),
        Command::RecordLiveException { kind, range, medic, from, until, reference } => {
            d.record_live_exception(kind, range, medic, from, until, reference)
        }
        // scene.rs
        Command::PlanScene { number, description, day, plan } => d.plan_scene(number, description, *day, plan),
        Command::RevisePlan { scene, plan, reason } => d.revise_plan(scene, plan, reason),
        Command::ApprovePlan { scene, version } => d.approve_plan(scene, version),
        Command::HoldMeeting { scene, agenda, attendees } => d.hold_meeting(scene, agenda, attendees),
        Command::SignOffMeeting { scene } => d.sign_off_meeting(scene),
        Command::MarkSceneReady { scene } => d.mark_scene_ready(scene),
        Command::CallScene { scene } => d.call_scene(scene),
        Command::WrapScene { scene } => d.wrap_scene(scene),
        Command::DeclineFirearm { scene, reason } => d.decline_firearm(scene, reason),
        Command::OpenDay { call_sheet, counts } => d.open_day(call_sheet, counts),
        Command::CloseDay { counts } => d.close_day(counts),
        Command::ResolveAlert { alert, note } => d.resolve_alert(alert, note),
        Command::PlaceHold { scope, reason } => d.place_hold(scope, reason),
        Command::LiftHold { hold, note, review } => d.lift_hold(hold, note, review),
        Command::RecordOverride { rule, firearm, scene, reason } => d.record_override(rule, firearm, scene, reason),
        // reports.rs
        Command::SetContacts { studio_safety_office, union_representative } => {
            d.set_contacts(studio_safety_office, union_representative)
        }
        Command::SetRecipients { kind, addresses } => d.set_recipients(*kind, addresses),
        Command::RecordAuthorityNotice { authority, date, reference } => {
            d.record_authority_notice(authority, date, reference)
        }
        Command::FileReport { severity, text: body, subject, reporter_name, followup_key_hash, photos } => {
            d.file_report(severity, body, subject, reporter_name, followup_key_hash, photos)
        }
        Command::AddToReport { report, text: body, followup_key_hash } => {
            d.add_to_report(report, body, followup_key_hash)
        }
        Command::AcknowledgeReport { report } => d.acknowledge_report(report),
        Command::AnswerReport { report, text: body } => d.answer_report(report, body),
        Command::ReviewReport { report, note } => d.review_report(report, note),
        Command::CloseReport { report, corrective_action } => d.close_report(report, corrective_action),
        Command::Tick => d.tick(),
        Command::ReportIncident { kind, firearm, scene, description, wait_seconds } => {
            d.report_incident(kind, firearm, scene, description, wait_seconds)
        }
        Command::NotifyRegulator { incident, reference } => d.notify_regulator(incident, reference),
        Command::SignInvestigation { incident, cause, corrective_action } => {
            d.sign_investigation(incident, cause, corrective_action)
        }
        Command::ReleaseEvidence { incident, note } => d.release_evidence(incident, note),
    }
}

/// Rounds per lot, for reports (kept here so the UI does not re-derive counts).
pub fn rounds_by_class(state: &ProductionState) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for c in state.containers.values() {
        *out.entry(c.class.to_string()).or_insert(0) += c.count();
    }
    out
}
