//! People and the production: creating it, people and their roles (R-ROLE-3, R-ROLE-6),
//! credentials (R-REC-4), competences, supervision of assistants, the policy packs and the
//! second-factor requirement. Each command's decision and the state change of each event it
//! records sit side by side.

use crate::checks::*;
use crate::error::{deny, invalid, DomainError};
use crate::events::Event;
use crate::ids::*;
use crate::model::*;
use crate::rules::{Checks, RuleId};
use crate::state::{missing, EntityRef, ProductionInfo, ProductionState};
use crate::text::fields as F;
use std::collections::BTreeSet;

impl<'a> Decider<'a> {
    /// Decides `create_production`.
    pub(crate) fn create_production(
        &self,
        id: &ProductionId,
        name: &str,
        time_zone: &str,
        packs: &[String],
        compliance_contact: &str,
    ) -> Result<Vec<Event>, DomainError> {
        if self.state.info.is_some() {
            return Err(DomainError::Conflict(format!("production {id} already exists")));
        }
        let packs = crate::policy::parse_packs(packs).map_err(|m| invalid("packs", m))?;
        if compliance_contact.trim().is_empty() {
            return Err(deny(
                RuleId::Role5,
                "the production names no compliance contact".into(),
                "name the person cast, crew, unions and regulators can reach about safety",
            ));
        }
        Ok(vec![Event::ProductionCreated {
            production: id.clone(),
            name: F::PRODUCTION_NAME.required(name)?,
            time_zone: F::TIME_ZONE.required(time_zone)?,
            packs,
            compliance_contact: F::COMPLIANCE_CONTACT.required(compliance_contact)?,
        }])
    }

    /// Decides `add_person`.
    pub(crate) fn add_person(&self, name: &str, roles: &BTreeSet<Role>) -> Result<Vec<Event>, DomainError> {
        if roles.is_empty() {
            return Err(invalid("roles", "give at least one role"));
        }
        let name = F::PERSON_NAME.required(name)?;
        let alerts = self.check_role_combination(None, &name, roles)?;
        let mut events = vec![Event::PersonAdded {
            person: PersonId::numbered(self.state.people.len() as u64 + 1),
            name,
            roles: roles.clone(),
        }];
        events.extend(alerts);
        Ok(events)
    }

    /// Decides `assign_role`.
    pub(crate) fn assign_role(&self, person: &PersonId, role: &Role) -> Result<Vec<Event>, DomainError> {
        let p = self.person(person)?;
        if p.has_role(*role) {
            return Err(invalid("role", format!("{} already has the role {role}", p.name)));
        }
        let mut roles = p.roles.clone();
        roles.insert(*role);
        let alerts = self.check_role_combination(Some(person), &p.name, &roles)?;
        let mut events = vec![Event::RoleAssigned { person: person.clone(), role: *role }];
        events.extend(alerts);
        Ok(events)
    }

    /// Decides `remove_role`.
    pub(crate) fn remove_role(&self, person: &PersonId, role: &Role) -> Result<Vec<Event>, DomainError> {
        let p = self.person(person)?;
        if !p.has_role(*role) {
            return Err(invalid("role", format!("{} does not have the role {role}", p.name)));
        }
        let mut roles = p.roles.clone();
        roles.remove(role);
        let still_may_hold =
            roles.iter().any(|r| matches!(r, Role::Armorer | Role::AssistantArmorer | Role::Performer));
        let holds_something = self.state.firearms.values().any(|f| f.holder.person() == Some(person))
            || self.state.containers.values().any(|c| c.holder.person() == Some(person));
        if holds_something && !still_may_hold {
            return Err(deny(
                RuleId::Role1,
                format!("{} still holds firearms or ammunition", p.name),
                "have the armorer collect everything they hold first",
            ));
        }
        Ok(vec![Event::RoleRemoved { person: person.clone(), role: *role }])
    }

    /// Decides `record_credential`.
    pub(crate) fn record_credential(
        &self,
        person: &PersonId,
        credential: &Credential,
    ) -> Result<Vec<Event>, DomainError> {
        self.person(person)?;
        let mut c = Checks::new();
        check_credential(&mut c, credential);
        c.finish()?;
        Ok(vec![Event::CredentialRecorded { person: person.clone(), credential: clean_credential(credential)? }])
    }

    /// Decides `correct_credential` (R-REC-6): the record corrected must be a credential of
    /// this person still in force (a record already corrected is corrected again through its
    /// latest correction, so the chain stays one line), the reason is given, and the new
    /// credential is as complete as a new one must be (R-REC-4).
    pub(crate) fn correct_credential(
        &self,
        person: &PersonId,
        corrects_seq: u64,
        reason: &str,
        credential: &Credential,
    ) -> Result<Vec<Event>, DomainError> {
        let p = self.person(person)?;
        let mut c = Checks::new();
        let in_force = self.state.credential_records.get(person).is_some_and(|seqs| seqs.contains(&corrects_seq));
        c.require(
            in_force,
            RuleId::Rec6,
            || format!("record {corrects_seq} is not a credential of {} in force", p.name),
            "correct the credential from the person's page: it names the record in force",
        );
        c.require(
            !reason.trim().is_empty(),
            RuleId::Rec6,
            || "the correction gives no reason".to_owned(),
            "say what was wrong (for example: expiry date mistyped)",
        );
        check_credential(&mut c, credential);
        c.finish()?;
        Ok(vec![Event::CredentialCorrected {
            person: person.clone(),
            corrects_seq,
            reason: F::CORRECTION_REASON.required(reason)?,
            credential: clean_credential(credential)?,
        }])
    }

    /// Decides `require_second_factor`.
    pub(crate) fn require_second_factor(&self, roles: &BTreeSet<Role>) -> Result<Vec<Event>, DomainError> {
        Ok(vec![Event::SecondFactorRequired { roles: roles.clone() }])
    }

    /// Decides `change_policy`.
    pub(crate) fn change_policy(&self, packs: &[String]) -> Result<Vec<Event>, DomainError> {
        let packs = crate::policy::parse_packs(packs).map_err(|m| invalid("packs", m))?;
        Ok(vec![Event::PolicyChanged { packs }])
    }

    /// Decides `supervise_assistant`.
    pub(crate) fn supervise_assistant(&self, assistant: &PersonId) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let a = self.person(assistant)?;
        let mut c = Checks::new();
        c.require(
            by.has_role(Role::Armorer),
            RuleId::Hand1,
            || format!("{} is not the armorer", by.name),
            "the armorer records supervision",
        );
        c.require(
            a.has_role(Role::AssistantArmorer),
            RuleId::Hand1,
            || format!("{} is not an assistant armorer", a.name),
            "only assistant armorers work under supervision",
        );
        c.require(
            self.state.safety.day.is_some(),
            RuleId::Hand1,
            || "no shoot day is open".to_owned(),
            "open the day first",
        );
        c.finish()?;
        Ok(vec![Event::AssistantSupervised { assistant: assistant.clone(), by: by.id.clone() }])
    }

    /// Decides `record_competence`.
    pub(crate) fn record_competence(
        &self,
        person: &PersonId,
        firearm: &FirearmId,
        notes: &str,
    ) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let p = self.person(person)?;
        let f = self.firearm(firearm)?;
        if !by.has_role(Role::Armorer) {
            return Err(deny(
                RuleId::Train2,
                format!("{} is not the armorer", by.name),
                "the armorer records training and competence",
            ));
        }
        Ok(vec![Event::CompetenceRecorded {
            person: p.id.clone(),
            model: f.model_key(),
            by: by.id.clone(),
            notes: F::COMPETENCE_NOTES.or_empty(notes)?,
        }])
    }

    // ---- helpers --------------------------------------------------------------------

    /// R-ROLE-3 (a gate when roles are given) and R-ROLE-6 (an alert, or a gate where the
    /// policy makes it one). Both are judged over the roles given now and, for someone
    /// already on the production, every role they held since the shoot day was opened.
    /// Returns the alerts to record.
    pub(crate) fn check_role_combination(
        &self,
        person: Option<&PersonId>,
        name: &str,
        roles: &BTreeSet<Role>,
    ) -> Result<Vec<Event>, DomainError> {
        let mut today = roles.clone();
        if let Some(held) = person.and_then(|p| self.state.safety.day.as_ref()?.roles_held.get(p)) {
            today.extend(held.iter().copied());
        }
        let others: Vec<&str> = today
            .iter()
            .filter(|r| !matches!(r, Role::Armorer | Role::AssistantArmorer | Role::Admin | Role::Auditor))
            .map(|r| r.as_str())
            .collect();
        let mut c = Checks::new();
        if today.contains(&Role::Armorer) || today.contains(&Role::AssistantArmorer) {
            c.require(
                others.is_empty(),
                RuleId::Role3,
                || {
                    format!(
                        "{name} would be armorer and {} the same day: an armorer has no other department role",
                        others.join(", ")
                    )
                },
                "hire a separate person for the other role, or give it another day",
            );
        }
        let mut alerts = Vec::new();
        if roles.contains(&Role::SafetyAdvisor) {
            // A producer is never the safety advisor, under any policy; nor is anyone who held
            // a production role earlier the same shoot day (a switch of roles within a day).
            let ever_producer = roles.contains(&Role::Producer)
                || person
                    .and_then(|p| self.state.people.get(p))
                    .is_some_and(|p| p.former_roles.contains(&Role::Producer));
            c.require(
                !ever_producer,
                RuleId::Role6,
                || format!("{name} is or was the producer: the safety advisor is independent of production"),
                "name a safety advisor who never was a producer on this production",
            );
            let switched: Vec<&str> = today
                .iter()
                .filter(|r| !roles.contains(r))
                .filter(|r| {
                    matches!(
                        r,
                        Role::Producer | Role::FirstAd | Role::Armorer | Role::AssistantArmorer | Role::PropertyMaster
                    )
                })
                .map(|r| r.as_str())
                .collect();
            c.require(
                switched.is_empty(),
                RuleId::Role6,
                || {
                    format!(
                        "{name} was {} earlier this shoot day: not the safety advisor the same day",
                        switched.join(", ")
                    )
                },
                "name an independent safety advisor for today",
            );
            let extra: Vec<&str> = roles
                .iter()
                .filter(|r| !matches!(r, Role::SafetyAdvisor | Role::Auditor | Role::Producer))
                .map(|r| r.as_str())
                .collect();
            if !extra.is_empty() {
                let reason = format!(
                    "{name} would be safety advisor and {}: the safety advisor holds no other role",
                    extra.join(", ")
                );
                if policy(self.state).is_hard_gate(RuleId::Role6) {
                    c.fail(RuleId::Role6, reason, "name an independent safety advisor");
                } else {
                    alerts.push(Event::AlertRaised { rule: RuleId::Role6, message: reason });
                }
            }
        }
        c.finish()?;
        Ok(alerts)
    }
}

/// R-REC-4: the training and competence record names what it is: its number, its issuer
/// and, for a licence, permit or certification, the kinds it covers.
fn check_credential(c: &mut Checks, credential: &Credential) {
    for (field, value) in [("number", &credential.number), ("issuer", &credential.issuer)] {
        c.require(
            !value.trim().is_empty(),
            RuleId::Rec4,
            || format!("the credential's {field} is missing"),
            "record the credential's number and issuer as they appear on it",
        );
    }
    c.require(
        !credential.covers.is_empty() || credential.kind == CredentialKind::SafetyCourse,
        RuleId::Rec4,
        || format!("the {} covers no weapon kind", credential.kind),
        "name the weapon kinds it covers",
    );
}

/// The credential as recorded: its text fields within their limits.
fn clean_credential(credential: &Credential) -> Result<Credential, DomainError> {
    Ok(Credential {
        kind: credential.kind,
        number: F::CREDENTIAL_NUMBER.required(&credential.number)?,
        issuer: F::CREDENTIAL_ISSUER.required(&credential.issuer)?,
        expires_on: credential.expires_on,
        covers: credential.covers.clone(),
    })
}

impl ProductionState {
    pub(crate) fn apply_production_created(
        &mut self,
        seq: u64,
        production: &ProductionId,
        name: &str,
        time_zone: &str,
        packs: &[String],
        compliance_contact: &str,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        if self.info.is_some() {
            return Err("the production already exists".into());
        }
        self.info = Some(ProductionInfo {
            id: production.clone(),
            name: name.to_owned(),
            time_zone: time_zone.to_owned(),
            packs: packs.to_vec(),
            compliance_contact: compliance_contact.to_owned(),
            approved_suppliers: BTreeSet::new(),
            second_factor_roles: BTreeSet::new(),
            version: seq,
        });
        self.safety.version = seq;
        self.reporting.version = seq;
        Ok(vec![R::Production, R::Safety, R::Reporting])
    }

    pub(crate) fn apply_person_added(
        &mut self,
        seq: u64,
        person: &PersonId,
        name: &str,
        roles: &BTreeSet<Role>,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        if self.people.contains_key(person) {
            return Err(format!("person {person} already exists"));
        }
        self.people.insert(
            person.clone(),
            Person {
                id: person.clone(),
                name: name.to_owned(),
                roles: roles.clone(),
                credentials: Vec::new(),
                competences: BTreeSet::new(),
                former_roles: BTreeSet::new(),
                version: seq,
            },
        );
        if let Some(day) = self.safety.day.as_mut() {
            day.roles_held.insert(person.clone(), roles.clone());
            self.safety.version = seq;
            return Ok(vec![R::Person(person.clone()), R::Safety]);
        }
        Ok(vec![R::Person(person.clone())])
    }

    pub(crate) fn apply_role_assigned(
        &mut self,
        seq: u64,
        person: &PersonId,
        role: &Role,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let p = self.person_mut(person)?;
        p.roles.insert(*role);
        p.version = seq;
        if let Some(day) = self.safety.day.as_mut() {
            day.roles_held.entry(person.clone()).or_default().insert(*role);
            self.safety.version = seq;
            return Ok(vec![R::Person(person.clone()), R::Safety]);
        }
        Ok(vec![R::Person(person.clone())])
    }

    pub(crate) fn apply_role_removed(
        &mut self,
        seq: u64,
        person: &PersonId,
        role: &Role,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let p = self.person_mut(person)?;
        p.roles.remove(role);
        p.former_roles.insert(*role);
        p.version = seq;
        Ok(vec![R::Person(person.clone())])
    }

    pub(crate) fn apply_credential_recorded(
        &mut self,
        seq: u64,
        person: &PersonId,
        credential: &Credential,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let p = self.person_mut(person)?;
        p.credentials.push(credential.clone());
        p.version = seq;
        self.credential_records.entry(person.clone()).or_default().push(seq);
        Ok(vec![R::Person(person.clone())])
    }

    pub(crate) fn apply_credential_corrected(
        &mut self,
        seq: u64,
        person: &PersonId,
        corrects_seq: u64,
        credential: &Credential,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let records = self.credential_records.get_mut(person).ok_or_else(|| missing("credential of", person))?;
        let index = records
            .iter()
            .position(|s| *s == corrects_seq)
            .ok_or_else(|| format!("it corrects record {corrects_seq}, which is no credential of {person} in force"))?;
        records[index] = seq;
        let p = self.people.get_mut(person).ok_or_else(|| missing("person", person))?;
        let slot = p.credentials.get_mut(index).ok_or("the credential corrected is missing")?;
        *slot = credential.clone();
        p.version = seq;
        Ok(vec![R::Person(person.clone())])
    }

    pub(crate) fn apply_second_factor_required(
        &mut self,
        seq: u64,
        roles: &BTreeSet<Role>,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let info = self.info.as_mut().ok_or("no production")?;
        info.second_factor_roles = roles.clone();
        info.version = seq;
        Ok(vec![R::Production])
    }

    pub(crate) fn apply_policy_changed(&mut self, seq: u64, packs: &[String]) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let info = self.info.as_mut().ok_or("no production")?;
        info.packs = packs.to_vec();
        info.version = seq;
        Ok(vec![R::Production])
    }

    pub(crate) fn apply_assistant_supervised(
        &mut self,
        seq: u64,
        assistant: &PersonId,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let day = self.safety.day.as_mut().ok_or("no shoot day is open")?;
        day.supervised.insert(assistant.clone());
        self.safety.version = seq;
        Ok(vec![R::Safety])
    }

    pub(crate) fn apply_competence_recorded(
        &mut self,
        seq: u64,
        person: &PersonId,
        model: &str,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let p = self.person_mut(person)?;
        p.competences.insert(model.to_owned());
        p.version = seq;
        Ok(vec![R::Person(person.clone())])
    }
}
