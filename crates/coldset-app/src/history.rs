//! A record's history, read from the log: the events that name one firearm, container, lot
//! or person (`Envelope::entities`, the domain's own list of what each event is about, so no
//! text is matched), newest first, a page at a time, or the events matching a filter (records
//! named and a day in the production's zone: the audit page's search); the corrections among them with the
//! records they correct (R-REC-6); and a recorded instant as people on set read it, in the
//! production's time zone. Each call reads the database: run it on a blocking thread.

use crate::error::AppError;
use crate::ports::StoreError;
use crate::App;
use coldset_domain::events::{Envelope, Event};
use coldset_domain::ids::ProductionId;
use coldset_domain::state::EntityRef;
use coldset_domain::{ProductionState, Timestamp};
use std::collections::VecDeque;

/// One event of a record's history, with the record it corrects when it is a correction.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    pub envelope: Envelope,
    /// For a correction (`firearm.details_corrected`, `credential.corrected`): the event it
    /// corrects, so a page shows the value before and after.
    pub corrects: Option<Envelope>,
}

/// Which events a list shows: those naming every record of `entities` (the envelope's
/// actor and confirming people count: `Envelope::entities`), recorded on `date` in the
/// production's time zone when one is given. The empty filter matches every event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    pub entities: Vec<EntityRef>,
    pub date: Option<coldset_domain::Date>,
}

/// One page of a history, newest first.
#[derive(Debug, Clone)]
pub struct HistoryPage {
    pub entries: Vec<HistoryEntry>,
    /// The `before` of the next (older) page, if there are older events.
    pub older: Option<u64>,
}

/// The sequence number a correction names, if the event is one.
pub fn corrects_seq(event: &Event) -> Option<u64> {
    match event {
        Event::FirearmDetailsCorrected { corrects_seq, .. } | Event::CredentialCorrected { corrects_seq, .. } => {
            Some(*corrects_seq)
        }
        _ => None,
    }
}

fn decode(bytes: &[u8]) -> Result<Envelope, StoreError> {
    Envelope::decode(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl App {
    /// The events naming `entity` recorded before sequence number `before` (all, without
    /// it), newest first, at most `limit` of them.
    pub fn history(
        &self,
        production: &ProductionId,
        entity: &EntityRef,
        before: Option<u64>,
        limit: usize,
    ) -> Result<HistoryPage, AppError> {
        self.events_matching(production, &EventFilter { entities: vec![entity.clone()], date: None }, before, limit)
    }

    /// The events that match `filter` recorded before sequence number `before` (all,
    /// without it), newest first, at most `limit` of them: a record's history, and the
    /// auditor's list searched by firearm, person and day.
    ///
    /// The log is read from its start: a production's log is thousands of events, not
    /// millions, and reading it whole keeps the store's port as it is.
    pub fn events_matching(
        &self,
        production: &ProductionId,
        filter: &EventFilter,
        before: Option<u64>,
        limit: usize,
    ) -> Result<HistoryPage, AppError> {
        let limit = limit.max(1);
        // The production's zone, for the date filter (a day on set is a day in its zone).
        let state = if filter.date.is_some() { Some(self.state(production)?) } else { None };
        // The newest `limit + 1` matches: one more than shown says whether there are older.
        let mut kept: VecDeque<Envelope> = VecDeque::with_capacity(limit + 1);
        let mut past_the_page = false;
        let walk = self.for_each_event(production, 0, &mut |ev| {
            if before.is_some_and(|b| ev.seq >= b) {
                past_the_page = true;
                return Err(StoreError::Conflict("history page read".into()));
            }
            let env = decode(&ev.bytes)?;
            let named = filter.entities.is_empty() || {
                let entities = env.entities();
                filter.entities.iter().all(|e| entities.contains(e))
            };
            let on_day = match (&filter.date, &state) {
                (Some(date), Some(state)) => crate::writer::local_date(env.at, state) == *date,
                _ => true,
            };
            if named && on_day {
                if kept.len() > limit {
                    kept.pop_front();
                }
                kept.push_back(env);
            }
            Ok(())
        });
        match walk {
            Err(_) if past_the_page => {}
            other => other?,
        }
        let more = kept.len() > limit;
        if more {
            kept.pop_front();
        }
        let older = if more { kept.front().map(|e| e.seq) } else { None };
        let mut entries = Vec::with_capacity(kept.len());
        for envelope in kept.into_iter().rev() {
            let corrects = self.corrected(production, &envelope)?;
            entries.push(HistoryEntry { envelope, corrects });
        }
        Ok(HistoryPage { entries, older })
    }

    /// Every correction recorded about `entity`, oldest first, each with the record it
    /// corrects (R-REC-6: the page shows both).
    pub fn corrections(&self, production: &ProductionId, entity: &EntityRef) -> Result<Vec<HistoryEntry>, AppError> {
        let mut found = Vec::new();
        self.for_each_event(production, 0, &mut |ev| {
            if !matches!(ev.kind.as_str(), "firearm.details_corrected" | "credential.corrected") {
                return Ok(());
            }
            let env = decode(&ev.bytes)?;
            if env.event.entities().contains(entity) {
                found.push(env);
            }
            Ok(())
        })?;
        found
            .into_iter()
            .map(|envelope| Ok(HistoryEntry { corrects: self.corrected(production, &envelope)?, envelope }))
            .collect()
    }

    /// One event as a history shows it (with the record it corrects), by sequence number.
    pub fn history_entry(&self, production: &ProductionId, seq: u64) -> Result<Option<HistoryEntry>, AppError> {
        let Some(stored) = self.event(production, seq)? else { return Ok(None) };
        let envelope = decode(&stored.bytes)?;
        Ok(Some(HistoryEntry { corrects: self.corrected(production, &envelope)?, envelope }))
    }

    fn corrected(&self, production: &ProductionId, env: &Envelope) -> Result<Option<Envelope>, AppError> {
        let Some(seq) = corrects_seq(&env.event) else { return Ok(None) };
        match self.event(production, seq)? {
            Some(stored) => Ok(Some(decode(&stored.bytes)?)),
            None => Ok(None),
        }
    }
}

/// A recorded instant as people on set read it: in the production's time zone, to the
/// minute, "Tue 3 Nov 2026, 07:42" (pages, and the records people print). Machine formats
/// (RFC 3339, UTC) are for the API only.
pub fn local_time(state: &ProductionState, at: Timestamp) -> String {
    local_time_in(state.info.as_ref().map_or("UTC", |i| i.time_zone.as_str()), at)
}

/// [`local_time`] in a time zone named by its IANA name; an unknown name (creation refuses
/// one, so only a damaged installation) falls back to UTC.
pub fn local_time_in(zone: &str, at: Timestamp) -> String {
    local_time_zoned(&jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC), at)
}

/// [`local_time_in`] with the zone already looked up (records format thousands of times).
pub fn local_time_zoned(zone: &jiff::tz::TimeZone, at: Timestamp) -> String {
    match jiff::Timestamp::from_millisecond(at.0) {
        Ok(ts) => ts.to_zoned(zone.clone()).strftime("%a %-d %b %Y, %H:%M").to_string(),
        Err(_) => at.to_rfc3339(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use coldset_domain::state::ProductionInfo;

    #[test]
    fn local_time_is_in_the_productions_zone_to_the_minute() {
        let mut state = ProductionState::new();
        state.info = Some(ProductionInfo {
            id: ProductionId::parse("p").unwrap(),
            name: "p".into(),
            time_zone: "America/Denver".into(),
            packs: Vec::new(),
            compliance_contact: "c".into(),
            approved_suppliers: Default::default(),
            second_factor_roles: Default::default(),
            version: 0,
        });
        // 2026-11-03T14:42:30Z is 07:42 in Denver (MST, UTC-7).
        let at = Timestamp(jiff::Timestamp::from_second(1_793_716_950).unwrap().as_millisecond());
        assert_eq!(local_time(&state, at), "Tue 3 Nov 2026, 07:42");
    }
}
