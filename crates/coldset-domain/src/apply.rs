//! Applying a recorded event to a production's state: one exhaustive `match` over `Event`
//! that hands each event to the area that records it (people.rs, storage.rs, firearm.rs,
//! ammunition.rs, scene.rs, reports.rs), beside the decision that produced it. A new `Event`
//! variant does not compile until it is handled here. The same `apply` serves the writer
//! (after each command), start-up (replaying the log) and the verifier.

use crate::events::{Envelope, Event};
use crate::state::{ApplyError, EntityRef, ProductionState};
use crate::time::Timestamp;

impl ProductionState {
    /// Applies one recorded event. Returns the records it changed, for the projections.
    pub fn apply(&mut self, env: &Envelope) -> Result<Vec<EntityRef>, ApplyError> {
        let seq = env.seq;
        let kind = env.event.kind();
        let fail = |problem: String| ApplyError { seq, kind, problem };
        if seq != self.next_seq() {
            return Err(fail(format!("expected sequence number {}", self.next_seq())));
        }
        if let Some(info) = &self.info {
            if info.id != env.production {
                return Err(fail(format!("it belongs to production {}", env.production)));
            }
        } else if !matches!(env.event, Event::ProductionCreated { .. }) {
            return Err(fail("a production's log must start with production.created".into()));
        }
        let touched = self.apply_event(seq, env.at, &env.event).map_err(fail)?;
        self.last_seq = Some(seq);
        Ok(touched)
    }

    /// One arm per event, each handed to its area: exhaustive on purpose (no catch-all arm).
    fn apply_event(&mut self, seq: u64, at: Timestamp, event: &Event) -> Result<Vec<EntityRef>, String> {
        match event {
            // people.rs
            Event::ProductionCreated { production, name, time_zone, packs, compliance_contact } => {
                self.apply_production_created(seq, production, name, time_zone, packs, compliance_contact)
            }
            Event::PersonAdded { person, name, roles } => self.apply_person_added(seq, person, name, roles),
            Event::RoleAssigned { person, role } => self.apply_role_assigned(seq, person, role),
            Event::RoleRemoved { person, role } => self.apply_role_removed(seq, person, role),
            Event::CredentialRecorded { person, credential } => self.apply_credential_recorded(seq, person, credential),
            Event::CredentialCorrected { person, corrects_seq, credential, .. } => {
                self.apply_credential_corrected(seq, person, *corrects_seq, credential)
            }
            Event::SecondFactorRequired { roles } => self.apply_second_factor_required(seq, roles),
            Event::PolicyChanged { packs } => self.apply_policy_changed(seq, packs),
            Event::AssistantSupervised { assistant, .. } => self.apply_assistant_supervised(seq, assistant),
            Event::CompetenceRecorded { person, model, .. } => self.apply_competence_recorded(seq, person, model),
            // storage.rs
            Event::LocationAdded { location, name, kind, authorised } => {
                self.apply_location_added(seq, location, name, kind, authorised)
            }
            Event::StorageOpened { location, by } => self.apply_storage_opened(seq, at, location, by),
            Event::StorageClosed { location, .. } => self.apply_storage_closed(seq, location),
            Event::TransportRecorded { .. } => self.apply_transport_recorded(),
            // firearm.rs (the hand-off through gate.rs)
            Event::FirearmReceived {
                firearm,
                kind,
                make,
                model,
                serial,
                calibre,
                condition,
                acquired_from,
                received_by,
            } => self.apply_firearm_received(
                seq,
                firearm,
                kind,
                make,
                model,
                serial,
                calibre,
                condition,
                acquired_from,
                received_by,
            ),
            Event::FirearmStored { firearm, location, .. } => self.apply_firearm_stored(seq, firearm, location),
            Event::FirearmTakenOut { firearm, by, scene, .. } => {
                self.apply_firearm_taken_out(seq, at, firearm, by, scene)
            }
            Event::FirearmHandedOff { firearm, to, .. } => self.apply_firearm_handed_off(seq, firearm, to),
            Event::FirearmCollected { firearm, to, .. } => self.apply_firearm_collected(seq, firearm, to),
            Event::FirearmWithdrawn { firearm, reason } => self.apply_firearm_withdrawn(seq, firearm, reason),
            Event::FirearmRepaired { firearm, .. } => self.apply_firearm_repaired(seq, firearm),
            Event::FirearmDisposed { firearm, disposition, to } => {
                self.apply_firearm_disposed(seq, firearm, disposition, to)
            }
            Event::FirearmDetailsCorrected { firearm, make, model, serial, calibre, .. } => {
                self.apply_firearm_details_corrected(seq, firearm, make, model, serial, calibre)
            }
            Event::FirearmInspected { firearm, stage, .. } => self.apply_firearm_inspected(seq, at, firearm, stage),
            Event::FirearmLoaded { firearm, container, class, count, lots, .. } => {
                self.apply_firearm_loaded(seq, firearm, container, class, count, lots)
            }
            Event::FirearmDeclaredEmpty { firearm, .. } => self.apply_firearm_declared_empty(seq, firearm),
            Event::FirearmUnloaded { firearm, container, returned, .. } => {
                self.apply_firearm_unloaded(seq, firearm, container, returned)
            }
            Event::FirearmDemonstrated { firearm, ad, load_seq, .. } => {
                self.apply_firearm_demonstrated(seq, at, firearm, ad, load_seq)
            }
            Event::FirearmShown { firearm, person, load_seq, .. } => {
                self.apply_firearm_shown(seq, at, firearm, person, load_seq)
            }
            // ammunition.rs
            Event::SupplierApproved { supplier } => self.apply_supplier_approved(seq, supplier),
            Event::LotReceived {
                lot,
                class,
                calibre,
                rounds,
                provenance,
                state,
                container,
                container_label,
                received_by,
            } => self.apply_lot_received(
                seq,
                lot,
                class,
                calibre,
                rounds,
                provenance,
                state,
                container,
                container_label,
                received_by,
            ),
            Event::LotVerified { lot, by, method, rounds_checked } => {
                self.apply_lot_verified(seq, lot, by, method, rounds_checked)
            }
            Event::LotRejected { lot, reason, .. } => self.apply_lot_rejected(seq, lot, reason),
            Event::ContainerCreated { container, label, class, calibre, holder } => {
                self.apply_container_created(seq, container, label, class, calibre, holder)
            }
            Event::RoundsMoved { from, to, lot, rounds } => self.apply_rounds_moved(seq, from, to, lot, rounds),
            Event::ContainerStored { container, location, .. } => self.apply_container_stored(seq, container, location),
            Event::ContainerTakenOut { container, by, .. } => self.apply_container_taken_out(seq, container, by),
            Event::ContainerHandedOver { container, to, .. } => self.apply_container_handed_over(seq, container, to),
            Event::RoundsDiscrepancyFound { firearm, class, issued, fired, returned } => {
                self.apply_rounds_discrepancy_found(seq, at, firearm, class, issued, fired, returned)
            }
            Event::RoundsDiscrepancyResolved { class, .. } => self.apply_rounds_discrepancy_resolved(seq, class),
            Event::LiveExceptionApproved { kind, range, medic, from, until, reference, by } => {
                self.apply_live_exception_approved(seq, kind, range, medic, from, until, reference, by)
            }
            // scene.rs
            Event::ScenePlanned { scene, number, description, day, plan } => {
                self.apply_scene_planned(seq, scene, number, description, day, plan)
            }
            Event::ScenePlanRevised { scene, version, plan, .. } => {
                self.apply_scene_plan_revised(seq, scene, version, plan)
            }
            Event::ScenePlanApproved { scene, by, role, .. } => self.apply_scene_plan_approved(seq, scene, by, role),
            Event::MeetingHeld { scene, plan_version, agenda, attendees } => {
                self.apply_meeting_held(seq, at, scene, plan_version, agenda, attendees)
            }
            Event::MeetingSignedOff { scene, by, role, .. } => self.apply_meeting_signed_off(seq, scene, by, role),
            Event::SceneMarkedReady { scene, .. } => self.apply_scene_marked_ready(seq, scene),
            Event::SceneCalled { scene, .. } => self.apply_scene_called(seq, scene),
            Event::SceneWrapped { scene, .. } => self.apply_scene_wrapped(seq, scene),
            Event::FirearmDeclined { scene, person, .. } => self.apply_firearm_declined(seq, scene, person),
            Event::DayOpened { date, by, call_sheet, .. } => self.apply_day_opened(seq, at, date, by, call_sheet),
            Event::DayClosed { .. } => self.apply_day_closed(seq),
            Event::AlertRaised { rule, message } => self.apply_alert_raised(seq, at, rule, message),
            Event::AlertResolved { alert, note, .. } => self.apply_alert_resolved(seq, alert, note),
            Event::HoldPlaced { scope, by, reason } => self.apply_hold_placed(seq, at, scope, by, reason),
            Event::HoldLifted { hold, .. } => self.apply_hold_lifted(seq, hold),
            Event::OverrideRecorded { rule, firearm, scene, by, reason } => {
                self.apply_override_recorded(seq, at, rule, firearm, scene, by, reason)
            }
            // reports.rs
            Event::AuthorityNotified { authority, date, reference, .. } => {
                self.apply_authority_notified(seq, authority, date, reference)
            }
            Event::ContactsSet { studio_safety_office, union_representative } => {
                self.apply_contacts_set(seq, studio_safety_office, union_representative)
            }
            Event::RecipientsSet { kind, addresses } => self.apply_recipients_set(seq, *kind, addresses),
            Event::ReportFiled { severity, text, subject, reporter_name, followup_key_hash, photos } => {
                self.apply_report_filed(seq, at, severity, text, subject, reporter_name, followup_key_hash, photos)
            }
            Event::ReportAcknowledged { report, by } => self.apply_report_acknowledged(seq, at, report, by),
            Event::ReportAnswered { report, by, text } => self.apply_report_answered(seq, at, report, by, text),
            Event::ReportAddedTo { report, text } => self.apply_report_added_to(seq, at, report, text),
            Event::ReportEscalated { report, level, .. } => self.apply_report_escalated(seq, at, report, level),
            Event::ReportReviewed { report, by, .. } => self.apply_report_reviewed(seq, at, report, by),
            Event::ReportClosed { report, corrective_action, .. } => {
                self.apply_report_closed(seq, at, report, corrective_action)
            }
            Event::IncidentReported {
                kind,
                firearm,
                scene,
                description,
                by,
                wait_seconds,
                frozen_firearms,
                frozen_containers,
                log_size,
            } => self.apply_incident_reported(
                seq,
                at,
                kind,
                firearm,
                scene,
                description,
                by,
                wait_seconds,
                frozen_firearms,
                frozen_containers,
                log_size,
            ),
            Event::RegulatorNotified { incident, by, reference } => {
                self.apply_regulator_notified(seq, at, incident, by, reference)
            }
            Event::InvestigationSigned { incident, by, role, cause, corrective_action } => {
                self.apply_investigation_signed(seq, at, incident, by, role, cause, corrective_action)
            }
            Event::EvidenceReleased { incident, by, note } => self.apply_evidence_released(seq, incident, by, note),
        }
    }
}
