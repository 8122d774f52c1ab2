//! Storage locations: adding them, opening and closing them (R-STORE-3), and transport
//! between sites (R-STORE-6). Decisions and state changes side by side.

use crate::checks::*;
use crate::error::{invalid, DomainError};
use crate::events::Event;
use crate::ids::*;
use crate::model::*;
use crate::rules::{Checks, RuleId};
use crate::state::{EntityRef, ProductionState};
use crate::text::fields as F;
use crate::time::Timestamp;
use std::collections::BTreeSet;

impl<'a> Decider<'a> {
    /// Decides `add_location`.
    pub(crate) fn add_location(
        &self,
        name: &str,
        kind: &LocationKind,
        authorised: &BTreeSet<PersonId>,
    ) -> Result<Vec<Event>, DomainError> {
        for p in authorised {
            self.person(p)?;
        }
        if authorised.is_empty() {
            return Err(invalid("authorised", "name at least one person who may open it (R-STORE-3)"));
        }
        Ok(vec![Event::LocationAdded {
            location: LocationId::numbered(self.state.locations.len() as u64 + 1),
            name: F::LOCATION_NAME.required(name)?,
            kind: *kind,
            authorised: authorised.clone(),
        }])
    }

    /// Decides `open_storage`.
    pub(crate) fn open_storage(&self, location: &LocationId) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let loc = self.location(location)?;
        let mut c = Checks::new();
        self.check_authorised(&mut c, loc, by);
        c.require(
            loc.opened.is_none(),
            RuleId::Store3,
            || format!("{} is already open", loc.name),
            "close it first, or work with it as it is",
        );
        c.finish()?;
        Ok(vec![Event::StorageOpened { location: location.clone(), by: by.id.clone() }])
    }

    /// Decides `close_storage`.
    pub(crate) fn close_storage(&self, location: &LocationId) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        let loc = self.location(location)?;
        let mut c = Checks::new();
        self.check_authorised(&mut c, loc, by);
        c.require(
            loc.opened.is_some(),
            RuleId::Store3,
            || format!("{} is not open", loc.name),
            "nothing to do: it is locked",
        );
        c.finish()?;
        Ok(vec![Event::StorageClosed { location: location.clone(), by: by.id.clone() }])
    }

    /// Decides `record_transport`.
    pub(crate) fn record_transport(
        &self,
        firearms: &[FirearmId],
        containers: &[ContainerId],
        from: &str,
        to: &str,
        locked_case: &bool,
    ) -> Result<Vec<Event>, DomainError> {
        let by = self.acting_person()?;
        if firearms.is_empty() && containers.is_empty() {
            return Err(invalid("firearms", "name what is being moved"));
        }
        let mut c = Checks::new();
        c.require(
            by.is_armorer_side(),
            RuleId::Store6,
            || format!("{} is not on the armorer's team", by.name),
            "a named person from the armory accompanies firearms in transport",
        );
        c.require(
            *locked_case,
            RuleId::Store6,
            || "firearms and ammunition travel in a locked case".to_owned(),
            "lock them in a case before moving them",
        );
        for f in firearms {
            let f = self.firearm_not_disposed(f)?;
            self.check_holds(&mut c, &f.holder, by, "firearm", f.id.as_str());
        }
        for ct in containers {
            let ct = self.container(ct)?;
            self.check_holds(&mut c, &ct.holder, by, "container", &ct.label);
            self.check_not_live(&mut c, ct);
        }
        c.finish()?;
        Ok(vec![Event::TransportRecorded {
            escort: by.id.clone(),
            firearms: firearms.to_vec(),
            containers: containers.to_vec(),
            from: F::TRANSPORT_FROM.required(from)?,
            to: F::TRANSPORT_TO.required(to)?,
            locked_case: *locked_case,
        }])
    }
}

impl ProductionState {
    pub(crate) fn apply_location_added(
        &mut self,
        seq: u64,
        location: &LocationId,
        name: &str,
        kind: &LocationKind,
        authorised: &BTreeSet<PersonId>,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        self.locations.insert(
            location.clone(),
            StorageLocation {
                id: location.clone(),
                name: name.to_owned(),
                kind: *kind,
                authorised: authorised.clone(),
                opened: None,
                version: seq,
            },
        );
        Ok(vec![R::Location(location.clone())])
    }

    pub(crate) fn apply_storage_opened(
        &mut self,
        seq: u64,
        at: Timestamp,
        location: &LocationId,
        by: &PersonId,
    ) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let loc = self.location_mut(location)?;
        loc.opened = Some((by.clone(), at));
        loc.version = seq;
        Ok(vec![R::Location(location.clone())])
    }

    pub(crate) fn apply_storage_closed(&mut self, seq: u64, location: &LocationId) -> Result<Vec<EntityRef>, String> {
        use EntityRef as R;
        let loc = self.location_mut(location)?;
        loc.opened = None;
        loc.version = seq;
        Ok(vec![R::Location(location.clone())])
    }

    // A transport changes no custody: the escort already holds everything moved.
    pub(crate) fn apply_transport_recorded(&mut self) -> Result<Vec<EntityRef>, String> {
        Ok(Vec::new())
    }
}
