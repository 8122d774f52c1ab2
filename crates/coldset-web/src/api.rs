//! The JSON API, `/api/v1`. Reads are served from the application's committed in-memory
//! state, so they never see a half-written command.

use crate::error::ApiError;
use crate::error::ApiQuery;
use crate::extract::{Caller, FullReader, Reader};
use crate::wire::records;
use crate::wire::Conv;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use coldset_app::access::ReadAccess;
use coldset_app::App;
use coldset_domain::ids::ProductionId;
use coldset_domain::{Envelope, ProductionState};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

/// Runs store work on a blocking thread (the store port is synchronous).
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, coldset_app::AppError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "internal", "the request was interrupted"))?
        .map_err(ApiError::from)
}

/// A JSON body serialised into a buffer of `capacity` bytes (axum's `Json` starts at 128
/// and grows by copying): for answers whose usual size is known, such as the gate's.
pub(crate) fn json_body<T: Serialize>(value: &T, capacity: usize) -> Result<axum::body::Bytes, ApiError> {
    let mut body = Vec::with_capacity(capacity);
    serde_json::to_writer(&mut body, value).map_err(|e| {
        tracing::error!(error = %e, "an answer could not be serialised");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the answer could not be written")
    })?;
    Ok(body.into())
}

/// An answer whose JSON body is already written.
pub(crate) fn json_response(body: axum::body::Bytes) -> axum::response::Response {
    use axum::response::IntoResponse;
    ([(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response()
}

pub(crate) fn parse_production(text: &str) -> Result<ProductionId, ApiError> {
    ProductionId::parse(text).map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "input.invalid", e.to_string()))
}

pub(crate) fn load(app: &App, production: &str) -> Result<Arc<ProductionState>, ApiError> {
    Ok(app.state(&parse_production(production)?)?)
}

pub(crate) async fn list_productions(
    State(app): State<App>,
    ApiQuery(page): ApiQuery<ListPage>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    let mut items = Vec::new();
    for id in app.production_ids() {
        // Only the productions this caller has a place in.
        let Ok(read) = caller.read(&app, id.as_str()).await else { continue };
        let s = read.state();
        if let Some(info) = &s.info {
            items.push(crate::wire::answers::ProductionListed {
                id: info.id.clone(),
                name: info.name.clone(),
                time_zone: info.time_zone.clone(),
                packs: info.packs.clone(),
                events: s.next_seq(),
            });
        }
    }
    Ok(Json(paginate(items, "id", &page)?))
}

pub(crate) async fn production(
    State(app): State<App>,
    Reader { state: s, access: _ }: Reader,
) -> Result<Json<Value>, ApiError> {
    use crate::wire::answers::{Counts, ProductionSummary};
    use crate::wire::Conv;
    Ok(crate::wire::answer(&ProductionSummary {
        production: s.info.clone().conv(),
        events: s.next_seq(),
        today: app.today(&s).to_string(),
        counts: Counts {
            people: s.people.len(),
            firearms: s.firearms.len(),
            lots: s.lots.len(),
            containers: s.containers.len(),
            locations: s.locations.len(),
            scenes: s.scenes.len(),
        },
        rounds_by_class: coldset_domain::decide::rounds_by_class(&s),
    }))
}

pub(crate) async fn firearms(
    ApiQuery(page): ApiQuery<ListPage>,
    Reader { state: s, access }: Reader,
) -> Result<Json<Value>, ApiError> {
    let items = s
        .firearms
        .values()
        .filter(|f| match &access {
            ReadAccess::Full => true,
            ReadAccess::Own(me) => f.holder.person() == Some(me),
        })
        .map(|f| records::Firearm::new(&s, f));
    Ok(Json(paginate(items, "id", &page)?))
}

pub(crate) async fn firearm(
    Path((_, id)): Path<(String, String)>,
    Reader { state: s, access }: Reader,
) -> Result<Json<Value>, ApiError> {
    let f = coldset_domain::ids::FirearmId::parse(&id)
        .ok()
        .and_then(|id| s.firearms.get(&id))
        .filter(|f| match &access {
            ReadAccess::Full => true,
            ReadAccess::Own(me) => f.holder.person() == Some(me),
        })
        .ok_or_else(|| ApiError::not_found(format!("no firearm '{id}' in this production")))?;
    Ok(crate::wire::answer(&records::Firearm::new(&s, f)))
}

pub(crate) async fn containers(
    ApiQuery(page): ApiQuery<ListPage>,
    FullReader(s): FullReader,
) -> Result<Json<Value>, ApiError> {
    let items = s.containers.values().map(|c| records::Container::new(&s, c));
    Ok(Json(paginate(items, "id", &page)?))
}

pub(crate) async fn lots(
    ApiQuery(page): ApiQuery<ListPage>,
    FullReader(s): FullReader,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(paginate(s.lots.values().map(|l| -> records::Lot { l.clone().conv() }), "id", &page)?))
}

pub(crate) async fn people(
    ApiQuery(page): ApiQuery<ListPage>,
    Reader { state: s, access }: Reader,
) -> Result<Json<Value>, ApiError> {
    let items = s
        .people
        .values()
        .filter(|person| match &access {
            ReadAccess::Full => true,
            ReadAccess::Own(me) => &person.id == me,
        })
        .map(|person| -> records::Person { person.clone().conv() });
    Ok(Json(paginate(items, "id", &page)?))
}

pub(crate) async fn locations(
    ApiQuery(page): ApiQuery<ListPage>,
    FullReader(s): FullReader,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(paginate(s.locations.values().map(|l| -> records::StorageLocation { l.clone().conv() }), "id", &page)?))
}

pub(crate) async fn scenes(
    ApiQuery(page): ApiQuery<ListPage>,
    Reader { state: s, access: _ }: Reader,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(paginate(s.scenes.values().map(|scene| -> records::Scene { scene.clone().conv() }), "id", &page)?))
}

/// A page of a record list: `?after=ID&limit=N`. Lists keep a fixed order (by id), so
/// `next_after` from one answer continues exactly where it ended.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListPage {
    after: Option<String>,
    limit: Option<u32>,
}

/// A page size from the query: 100 unless given, 1 to [`MAX_PAGE`].
fn page_limit(limit: Option<u32>) -> Result<u32, ApiError> {
    match limit.unwrap_or(100) {
        n @ 1..=MAX_PAGE => Ok(n),
        _ => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "input.invalid",
            format!("limit must be between 1 and {MAX_PAGE}"),
        )),
    }
}

/// Cuts one page out of a list whose items carry their id in `id_field`.
pub(crate) fn paginate<T: Serialize>(
    items: impl IntoIterator<Item = T>,
    id_field: &str,
    page: &ListPage,
) -> Result<Value, ApiError> {
    let limit = page_limit(page.limit)?;
    let items: Vec<Value> = items.into_iter().map(|i| serde_json::to_value(i).unwrap_or(Value::Null)).collect();
    let id_of = |v: &Value| match &v[id_field] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let start = match &page.after {
        None => 0,
        Some(after) => items.iter().position(|v| &id_of(v) == after).map(|i| i + 1).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "input.invalid",
                format!("after: no record '{after}' in this list; start again without `after`"),
            )
        })?,
    };
    let rest = items.len().saturating_sub(start);
    let page_items: Vec<Value> = items.into_iter().skip(start).take(limit as usize).collect();
    let next_after = (rest > page_items.len()).then(|| page_items.last().map(id_of)).flatten();
    Ok(serde_json::to_value(crate::wire::answers::RecordPage { items: page_items, next_after }).unwrap_or(Value::Null))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Page {
    from: Option<u64>,
    limit: Option<u32>,
}

const MAX_PAGE: u32 = 500;

/// The recorded events, oldest first, a page at a time: `?from=SEQ&limit=N`.
pub(crate) async fn events(
    State(app): State<App>,
    Path(p): Path<String>,
    ApiQuery(page): ApiQuery<Page>,
    _: FullReader,
) -> Result<Json<Value>, ApiError> {
    let production = parse_production(&p)?;
    let from = page.from.unwrap_or(0);
    let limit = page_limit(page.limit)?;
    use crate::wire::answers::{EventPage, LoggedEvent};
    use crate::wire::Conv;
    let items = tokio::task::spawn_blocking(move || -> Result<Vec<LoggedEvent>, coldset_app::AppError> {
        let mut out = Vec::new();
        let mut count = 0u32;
        let stop = coldset_app::ports::StoreError::Conflict("page full".into());
        let res = app.for_each_event(&production, from, &mut |ev| {
            if count >= limit {
                return Err(stop.clone());
            }
            count += 1;
            let env =
                Envelope::decode(&ev.bytes).map_err(|e| coldset_app::ports::StoreError::Corrupt(e.to_string()))?;
            out.push(LoggedEvent {
                seq: env.seq,
                at: env.at.to_rfc3339(),
                actor: env.actor.conv(),
                event: serde_json::to_value(&env.event).unwrap_or(Value::Null),
                auth: env.auth.conv(),
                leaf_hash: hex_lower(&ev.leaf_hash),
                // The exact bytes that were hashed into the leaf, so an auditor can
                // recompute it with any verifier (docs/ledger-format.md).
                record: record_base64(&ev.bytes),
            });
            Ok(())
        });
        match res {
            Ok(()) => Ok(out),
            Err(e) if e == stop => Ok(out),
            Err(e) => Err(e.into()),
        }
    })
    .await
    .map_err(|_| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "internal", "the read was interrupted"))??;
    let next = items.last().map(|e| e.seq + 1);
    let next_from = if items.len() as u32 == limit { next } else { None };
    Ok(crate::wire::answer(&EventPage { items, next_from }))
}

/// An event's canonical bytes (the leaf's record) as standard base64.
pub(crate) fn record_base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The weapon register (R-REC-2): for every firearm, who held it from when to when, and how
/// long it was out of storage, rebuilt from the custody events of the log.
pub(crate) async fn register(
    State(app): State<App>,
    Path(p): Path<String>,
    FullReader(state): FullReader,
) -> Result<Json<Value>, ApiError> {
    use coldset_domain::Event as E;
    use std::collections::BTreeMap;
    let production = parse_production(&p)?;
    let now = app.now();
    let people: BTreeMap<String, String> = state.people.values().map(|p| (p.id.to_string(), p.name.clone())).collect();
    let locations: BTreeMap<String, String> =
        state.locations.values().map(|l| (l.id.to_string(), l.name.clone())).collect();
    let register = blocking(move || {
        // Per firearm: custody spells (holder, from, to) and minutes out of storage.
        let mut spells: BTreeMap<String, Vec<(String, coldset_domain::Timestamp, Option<coldset_domain::Timestamp>)>> =
            BTreeMap::new();
        let mut out_since: BTreeMap<String, coldset_domain::Timestamp> = BTreeMap::new();
        let mut minutes_out: BTreeMap<String, i64> = BTreeMap::new();
        app.for_each_event(&production, 0, &mut |ev| {
            let env =
                Envelope::decode(&ev.bytes).map_err(|e| coldset_app::ports::StoreError::Corrupt(e.to_string()))?;
            let change: Option<(String, String, bool)> = match &env.event {
                E::FirearmReceived { firearm, received_by, .. } => {
                    Some((firearm.to_string(), format!("person {received_by}"), true))
                }
                E::FirearmTakenOut { firearm, by, .. } => Some((firearm.to_string(), format!("person {by}"), true)),
                E::FirearmHandedOff { firearm, to, .. } | E::FirearmCollected { firearm, to, .. } => {
                    Some((firearm.to_string(), format!("person {to}"), true))
                }
                E::FirearmStored { firearm, location, .. } => {
                    Some((firearm.to_string(), format!("storage {location}"), false))
                }
                E::FirearmDisposed { firearm, to, .. } => {
                    Some((firearm.to_string(), format!("disposed to {}", to.name), false))
                }
                _ => None,
            };
            if let Some((firearm, holder, out)) = change {
                let list = spells.entry(firearm.clone()).or_default();
                if let Some(last) = list.last_mut() {
                    last.2 = Some(env.at);
                }
                list.push((holder, env.at, None));
                match (out, out_since.get(&firearm).copied()) {
                    (true, None) => {
                        out_since.insert(firearm, env.at);
                    }
                    (false, Some(since)) => {
                        *minutes_out.entry(firearm.clone()).or_insert(0) += since.minutes_until(env.at);
                        out_since.remove(&firearm);
                    }
                    _ => {}
                }
            }
            Ok(())
        })?;
        for (firearm, since) in &out_since {
            *minutes_out.entry(firearm.clone()).or_insert(0) += since.minutes_until(now);
        }
        Ok((spells, minutes_out))
    })
    .await?;
    let (spells, minutes_out) = register;
    let name = |holder: &str| -> String {
        match holder.split_once(' ') {
            Some(("person", id)) => people.get(id).cloned().unwrap_or_else(|| id.to_owned()),
            Some(("storage", id)) => {
                locations.get(id).map(|n| format!("storage: {n}")).unwrap_or_else(|| id.to_owned())
            }
            _ => holder.to_owned(),
        }
    };
    use crate::wire::answers::{CustodySpell, RegisterLine, WeaponRegister};
    let items = spells
        .iter()
        .map(|(firearm, list)| RegisterLine {
            firearm: firearm.clone(),
            minutes_out_of_storage: minutes_out.get(firearm).copied().unwrap_or(0),
            custody: list
                .iter()
                .map(|(holder, from, to)| CustodySpell {
                    holder: name(holder),
                    from: from.to_rfc3339(),
                    to: to.map(|t| t.to_rfc3339()),
                })
                .collect(),
        })
        .collect();
    Ok(crate::wire::answer(&WeaponRegister { rule: "R-REC-2", items }))
}
