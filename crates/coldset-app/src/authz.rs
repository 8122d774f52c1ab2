//! The one authorization decision for a signed-in caller, as typed values: what they may read
//! of a production ([`Read`]), the person they are in it ([`OwnPerson`]), and an
//! administrator's reach over every production ([`Everywhere`]). Each value is made only here,
//! after the production's second-factor requirement is checked (the one place that check is
//! made for reads and for managing one's own credentials; commands are checked by
//! [`access::authorize_command`] and [`access::authorize_in_person`]). The web layer's
//! extractors hold these values, for the API and the pages alike, so a handler cannot reach a
//! production's state without having been through the decision.

use crate::access::{self, Principal, ReadAccess};
use crate::error::AppError;
use coldset_domain::ids::{PersonId, ProductionId};
use coldset_domain::{DomainError, ProductionState};
use std::sync::Arc;

fn denied(message: impl Into<String>) -> AppError {
    AppError::Domain(DomainError::Forbidden(message.into()))
}

/// A caller allowed to read a production: its committed state and how much of it they see.
#[derive(Debug, Clone)]
pub struct Read {
    state: Arc<ProductionState>,
    access: ReadAccess,
}

impl Read {
    pub fn state(&self) -> &Arc<ProductionState> {
        &self.state
    }

    pub fn access(&self) -> &ReadAccess {
        &self.access
    }

    pub fn into_parts(self) -> (Arc<ProductionState>, ReadAccess) {
        (self.state, self.access)
    }

    /// The state, for records only full readers see.
    pub fn full(self) -> Result<Arc<ProductionState>, AppError> {
        match self.access {
            ReadAccess::Full => Ok(self.state),
            ReadAccess::Own(_) => Err(denied("your role sees only your own records of this production")),
        }
    }
}

/// Whether `principal` may read `production`, and how much. `link` is the person the
/// account is in the production (ignored for an administrator, who reads every production
/// as the production requires its administrators to sign in).
pub fn read(
    principal: &Principal,
    link: Option<PersonId>,
    production: &ProductionId,
    state: Arc<ProductionState>,
) -> Result<Read, AppError> {
    let link = if principal.is_admin { None } else { link };
    access::check_second_factor(principal, &state, link.as_ref())?;
    let access = access::read_access(link, principal, production, &state)?;
    Ok(Read { state, access })
}

/// The signed-in person of a production (not an administrator acting for the
/// installation), held to the production's second-factor requirement: their PIN and
/// passkeys confirm steps in their name, so they are managed only as the production requires
/// them to sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnPerson(PersonId);

impl OwnPerson {
    pub fn person(&self) -> &PersonId {
        &self.0
    }

    pub fn into_person(self) -> PersonId {
        self.0
    }
}

/// The decision for [`OwnPerson`]; `not_a_person` is the refusal for an account that is no
/// person of the production.
pub fn own_person(
    principal: &Principal,
    link: Option<PersonId>,
    state: &ProductionState,
    not_a_person: &str,
) -> Result<OwnPerson, AppError> {
    let person = link.ok_or_else(|| denied(not_a_person))?;
    access::check_second_factor(principal, state, Some(&person))?;
    Ok(OwnPerson(person))
}

/// An administrator who signed in as every production requires of its administrators: for
/// what reaches into all of them (the delivery log, a new administrator account).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Everywhere(());

/// The decision for [`Everywhere`]; `refusal` says what only an administrator does.
pub fn everywhere<'a>(
    principal: &Principal,
    productions: impl IntoIterator<Item = &'a ProductionState>,
    refusal: &str,
) -> Result<Everywhere, AppError> {
    if !principal.is_admin {
        return Err(denied(refusal));
    }
    for state in productions {
        access::check_second_factor(principal, state, None)?;
    }
    Ok(Everywhere(()))
}

/// An administrator acting for one production (an account linked to it is a way into it):
/// held to that production's second-factor requirement for administrators.
pub fn administer(principal: &Principal, state: &ProductionState, refusal: &str) -> Result<(), AppError> {
    if !principal.is_admin {
        return Err(denied(refusal));
    }
    access::check_second_factor(principal, state, None)
}
