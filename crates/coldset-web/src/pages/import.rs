//! Spreadsheet import (issue #18): choose what to import and upload a CSV or XLSX file; the
//! preview lists every row with its outcome (rows to fix first, with the column or the rule
//! ids at fault); only when every row passes does it offer to record them all, which
//! checks the file again against the production as it is then and records it as one batch
//! through the write path (one commit). Between the two, the parsed file waits here, in
//! memory, under a random token, for a while and within a bound on bytes. Also the
//! template files and the export of the same shapes as CSV. The reading and checking is
//! `coldset_app::import`; this module is HTTP only.

use crate::error::ApiError;
use crate::extract::{PageReader, Writer};
use crate::forms::{csrf, refusal_page};
use crate::html::production_page;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Form, Router};
use coldset_app::access::{self, Checked};
use coldset_app::import::{self, Committed, Kind, Outcome, Preview, Table};
use coldset_app::App;
use coldset_domain::commands::CommandKind;
use coldset_domain::ids::ProductionId;
use coldset_domain::{Actor, ProductionState};
use maud::{html, Markup};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The request body an upload may send: the file's own limit (`import::MAX_FILE_BYTES`) is
/// checked while reading it, so a larger file is told so clearly; above this the
/// connection's body is cut off (and still answered clearly).
const MAX_UPLOAD_BODY: usize = 32 * 1024 * 1024;
/// How long a checked file waits for "Record all".
const STASH_TTL: Duration = Duration::from_secs(30 * 60);
/// The parsed files waiting, together: the oldest go first beyond this.
const STASH_BYTES: usize = 48 * 1024 * 1024;

pub(super) fn routes() -> Router<App> {
    Router::new()
        .route("/p/{production}/import", get(import_page).post(upload))
        .route("/p/{production}/import/commit", axum::routing::post(commit))
        .route("/p/{production}/import/{kind}/template.csv", get(template))
        .route("/p/{production}/export/{file}", get(export))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BODY))
        .layer(Extension(Stash::default()))
}

/// Checked files waiting to be recorded, by token; each belongs to the account and the
/// production that uploaded it.
#[derive(Clone, Default)]
struct Stash(Arc<Mutex<VecDeque<Pending>>>);

struct Pending {
    token: String,
    account: String,
    production: ProductionId,
    table: Arc<Table>,
    /// The rows' requests as checked: recorded as they are if nothing changed since.
    checked: Preview,
    weight: usize,
    since: Instant,
}

impl Stash {
    // The expiry of uploads held in memory: nothing recorded depends on this clock.
    #[allow(clippy::disallowed_methods)]
    fn now() -> Instant {
        Instant::now()
    }

    fn put(
        &self,
        account: &str,
        production: &ProductionId,
        table: Arc<Table>,
        checked: Preview,
    ) -> Result<String, ApiError> {
        let token: String = access::random_bytes::<16>()?.iter().map(|b| format!("{b:02x}")).collect();
        // The checked rows and their requests weigh about twice the cells they came from.
        let weight = 3 * table.weight();
        let mut q = self.0.lock().map_err(|_| ApiError::from(coldset_app::AppError::Internal("stash lock".into())))?;
        let now = Self::now();
        q.retain(|p| now.duration_since(p.since) < STASH_TTL);
        q.push_back(Pending {
            token: token.clone(),
            account: account.to_owned(),
            production: production.clone(),
            table,
            checked,
            weight,
            since: now,
        });
        while q.iter().map(|p| p.weight).sum::<usize>() > STASH_BYTES && q.len() > 1 {
            q.pop_front();
        }
        Ok(token)
    }

    /// Takes the file out: a token records at most once (a second tap finds nothing).
    fn take(&self, token: &str, account: &str, production: &ProductionId) -> Option<(Arc<Table>, Preview)> {
        let mut q = self.0.lock().ok()?;
        let now = Self::now();
        let i = q.iter().position(|p| {
            p.token == token
                && p.account == account
                && &p.production == production
                && now.duration_since(p.since) < STASH_TTL
        })?;
        q.remove(i).map(|p| (p.table, p.checked))
    }
}

fn kind_of(slug: &str) -> Result<Kind, ApiError> {
    Kind::parse(slug).ok_or_else(|| {
        ApiError::not_found(format!(
            "'{slug}' is not something to import: {}",
            Kind::ALL.iter().map(|k| k.slug()).collect::<Vec<_>>().join(", ")
        ))
    })
}

fn csv_file(name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response()
}

async fn template(Path((_, kind)): Path<(String, String)>, PageReader(_): PageReader) -> Response {
    match kind_of(&kind) {
        Ok(kind) => csv_file(&format!("{}-template.csv", kind.slug()), import::template_csv(kind)),
        Err(e) => e.into_response(),
    }
}

async fn export(Path((p, file)): Path<(String, String)>, PageReader(state): PageReader) -> Response {
    let kind = match file
        .strip_suffix(".csv")
        .ok_or_else(|| ApiError::not_found("exports are .csv files"))
        .and_then(kind_of)
    {
        Ok(kind) => kind,
        Err(e) => return e.into_response(),
    };
    csv_file(&format!("{p}-{}.csv", kind.slug()), import::export_csv(kind, &state))
}

/// Who may import a kind: whoever may issue its commands (the permission table), and for
/// firearms and ammunition the armorer's team, who alone take items in (R-STORE-5). The
/// rows are decided by the same rules again; this only refuses early and clearly.
fn may_import(kind: Kind, state: &ProductionState, actor: &Actor) -> Result<(), ApiError> {
    let command = match kind {
        Kind::Firearms => CommandKind::IntakeFirearm,
        Kind::Lots => CommandKind::IntakeLot,
        Kind::Crew => CommandKind::AddPerson,
        Kind::Scenes => CommandKind::PlanScene,
    };
    let allowed = command.allowed();
    let ok = match actor {
        Actor::Admin { .. } => allowed.admin_may() && matches!(kind, Kind::Crew | Kind::Scenes),
        Actor::Person { person } => state.people.get(person).is_some_and(|p| {
            allowed.person_may(&p.roles) && (matches!(kind, Kind::Crew | Kind::Scenes) || p.is_armorer_side())
        }),
        _ => false,
    };
    if ok {
        return Ok(());
    }
    let who = match kind {
        Kind::Firearms | Kind::Lots => "only the armorer's team takes firearms and ammunition in (R-STORE-5)",
        Kind::Crew => "people are added by the producer or an administrator",
        Kind::Scenes => "scenes are planned by the armorer, the 1st AD, the producer or an administrator",
    };
    Err(ApiError::new(StatusCode::FORBIDDEN, "auth.forbidden", format!("you may not import {}: {who}", kind.slug())))
}

async fn import_page(Path(p): Path<String>, PageReader(state): PageReader, headers: HeaderMap) -> Response {
    let csrf = csrf(&headers);
    production_page(&p, "Import", choose_view(&p, &csrf, &state)).into_response()
}

fn choose_view(p: &str, csrf: &str, state: &ProductionState) -> Markup {
    html! {
        h1 { "Import from a spreadsheet" }
        p {
            "Upload a CSV (UTF-8) or XLSX file whose first row names the columns. Every row is checked "
            "against the safety rules before anything is recorded; nothing is recorded until every row passes, "
            "and then the whole file is recorded at once."
        }
        (upload_form(p, csrf, None))
        h2 { "Templates and exports" }
        @for kind in Kind::ALL {
            div.card {
                h3 { (kind.title()) }
                p.muted { (kind.columns().iter().map(|c| c.name).collect::<Vec<_>>().join(", ")) }
                p {
                    a href={ "/p/" (p) "/import/" (kind.slug()) "/template.csv" } download { "Template (CSV)" }
                    " · "
                    a href={ "/p/" (p) "/export/" (kind.slug()) ".csv" } download { "Export (" (count(state, kind)) " rows)" }
                }
            }
        }
    }
}

fn count(state: &ProductionState, kind: Kind) -> usize {
    match kind {
        Kind::Firearms => state.firearms.len(),
        Kind::Lots => state.lots.len(),
        Kind::Crew => state.people.len(),
        Kind::Scenes => state.scenes.len(),
    }
}

fn upload_form(p: &str, csrf: &str, chosen: Option<Kind>) -> Markup {
    html! {
        form method="post" action={ "/p/" (p) "/import" } enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(csrf);
            fieldset {
                legend { "What the file holds" }
                @for kind in Kind::ALL {
                    label {
                        input type="radio" name="kind" value=(kind.slug()) required checked[chosen == Some(kind)];
                        " " (kind.title())
                    }
                    br;
                }
            }
            p { label { "File (CSV or XLSX, at most " (import::MAX_FILE_BYTES / (1024 * 1024)) " MB) " input type="file" name="file" accept=".csv,.xlsx,text/csv" required; } }
            button type="submit" { "Check the file" }
        }
    }
}

/// What an upload sent.
struct Upload {
    csrf: Option<String>,
    kind: Option<String>,
    bytes: Vec<u8>,
    /// The file's whole size, also past the limit (the rest is read and dropped).
    size: usize,
}

async fn read_upload(mut form: Multipart) -> Result<Upload, ApiError> {
    let cut_off = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "import.too_large",
                format!(
                    "the upload is larger than {} MB; the most an import takes is {} MB: split the file",
                    MAX_UPLOAD_BODY / (1024 * 1024),
                    import::MAX_FILE_BYTES / (1024 * 1024)
                ),
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "input.invalid",
                format!("the upload could not be read: {}", e.body_text()),
            )
        }
    };
    let mut up = Upload { csrf: None, kind: None, bytes: Vec::new(), size: 0 };
    while let Some(mut field) = form.next_field().await.map_err(cut_off)? {
        match field.name() {
            Some("csrf") => up.csrf = Some(field.text().await.map_err(cut_off)?),
            Some("kind") => up.kind = Some(field.text().await.map_err(cut_off)?),
            Some("file") => {
                while let Some(chunk) = field.chunk().await.map_err(cut_off)? {
                    up.size += chunk.len();
                    // Past the limit the rest is read and dropped, so the browser gets the
                    // clear answer rather than a reset connection.
                    if up.size <= import::MAX_FILE_BYTES {
                        up.bytes.extend_from_slice(&chunk);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(up)
}

fn file_error(e: import::FileError) -> ApiError {
    let status =
        if e.code == "import.too_large" { StatusCode::PAYLOAD_TOO_LARGE } else { StatusCode::UNPROCESSABLE_ENTITY };
    ApiError::new(status, e.code, e.message)
}

/// Who is importing: the signed-in writer, authorized as for any command of the pages.
async fn importer(
    app: &App,
    headers: &HeaderMap,
    csrf: Option<&str>,
    production: &ProductionId,
) -> Result<(Writer, coldset_app::access::Authorized), ApiError> {
    let writer = Writer::from_form(app, headers, csrf).await?;
    match crate::write::authorize(app, &writer, production, Vec::new(), None).await? {
        Checked::Authorized(a) => Ok((writer, a)),
        Checked::Replayed(_) => Err(ApiError::new(StatusCode::CONFLICT, "command.conflict", "already recorded")),
    }
}

async fn upload(
    State(app): State<App>,
    Path(p): Path<String>,
    Extension(stash): Extension<Stash>,
    PageReader(_): PageReader,
    headers: HeaderMap,
    form: Multipart,
) -> Response {
    let back = format!("/p/{p}/import");
    let run = async {
        let up = read_upload(form).await?;
        let production = crate::api::parse_production(&p)?;
        let (writer, authorized) = importer(&app, &headers, up.csrf.as_deref(), &production).await?;
        let kind = kind_of(up.kind.as_deref().unwrap_or_default())
            .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "input.invalid", "choose what the file holds"))?;
        let state = app.state(&production)?;
        may_import(kind, &state, &authorized.actor)?;
        if up.size > import::MAX_FILE_BYTES {
            return Err(file_error(import::too_large(up.size)));
        }
        if up.bytes.is_empty() {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, "input.invalid", "choose a file to upload"));
        }
        let (app2, actor, auth) = (app.clone(), authorized.actor.clone(), authorized.auth.clone());
        let bytes = up.bytes;
        // Reading and checking thousands of rows is work for a blocking thread.
        let (table, preview) = crate::api::blocking(move || {
            let table = match import::parse(kind, &bytes) {
                Ok(t) => t,
                Err(e) => return Ok(Err(e)),
            };
            drop(bytes);
            let state = app2.state(&production)?;
            let preview = import::preview(&table, &state, &actor, Some(auth), app2.now(), app2.today(&state))?;
            Ok(Ok((table, preview)))
        })
        .await?
        .map_err(file_error)?;
        let production = crate::api::parse_production(&p)?;
        if !preview.passes() {
            return Ok::<_, ApiError>(preview_view(&p, &csrf(&headers), &preview, None));
        }
        let account = &writer.principal().account;
        let token = stash.put(account, &production, Arc::new(table), preview.clone())?;
        Ok(preview_view(&p, &csrf(&headers), &preview, Some(&token)))
    };
    match run.await {
        Ok(body) => production_page(&p, "Check the import", body).into_response(),
        Err(e) => refusal_page("Import refused", &e, &back),
    }
}

async fn commit(
    State(app): State<App>,
    Path(p): Path<String>,
    Extension(stash): Extension<Stash>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let back = format!("/p/{p}/import");
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let run = async {
        let production = crate::api::parse_production(&p)?;
        let (writer, authorized) = importer(&app, &headers, field("csrf"), &production).await?;
        let (table, checked) = stash
            .take(field("token").unwrap_or_default(), &writer.principal().account, &production)
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::GONE,
                    "import.expired",
                    "this checked file was recorded already, or waited too long: upload it again to check it anew",
                )
            })?;
        may_import(table.kind, &*app.state(&production)?, &authorized.actor)?;
        let app2 = app.clone();
        crate::api::blocking(move || {
            import::commit(&app2, &production, &authorized.actor, Some(authorized.auth), &table, Some(checked))
        })
        .await
    };
    match run.await {
        Ok(Committed::Recorded { preview, events, first_seq, last_seq }) => {
            let body = html! {
                h1 { "Recorded" }
                p role="status" {
                    "All " (preview.rows.len()) " rows of the " (preview.kind.slug()) " file were recorded in one commit: "
                    (events) " events"
                    @if let (Some(a), Some(b)) = (first_seq, last_seq) { " (" (a) " to " (b) ")" }
                    "."
                }
                p { a href={ "/p/" (p) } { "Back to the inventory" } " · " a href=(back) { "Import another file" } }
            };
            production_page(&p, "Recorded", body).into_response()
        }
        Ok(Committed::NotReady(preview)) => {
            let body = html! {
                p.warn role="alert" { "The production changed since the file was checked, and some rows no longer pass. Nothing was recorded." }
                (preview_view(&p, &csrf(&headers), &preview, None))
            };
            (StatusCode::CONFLICT, production_page(&p, "Check the import", body)).into_response()
        }
        Err(e) => refusal_page("Import refused", &e, &back),
    }
}

fn preview_view(p: &str, csrf: &str, preview: &Preview, token: Option<&str>) -> Markup {
    let (ready, to_fix) = (preview.ready(), preview.to_fix());
    html! {
        h1 { "Check the import: " (preview.kind.title()) }
        p role="status" data-ready=(ready) data-to-fix=(to_fix) {
            strong { (ready) " row" @if ready != 1 { "s" } " ready, " (to_fix) " to fix" } "."
        }
        @if let Some(token) = token {
            form method="post" action={ "/p/" (p) "/import/commit" } {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="token" value=(token);
                button type="submit" { "Record all " (preview.rows.len()) " rows" }
            }
        } @else {
            p.warn role="alert" { "Nothing is recorded until every row passes: fix the rows below in the file, then upload it again." }
            (upload_form(p, csrf, Some(preview.kind)))
        }
        @if to_fix > 0 {
            h2 { "To fix" }
            @for row in preview.rows.iter().filter(|r| !r.outcome.passes()) {
                div.card data-line=(row.line) {
                    p { strong { "Line " (row.line) } " · " (row.label) }
                    @match &row.outcome {
                        Outcome::Field { field, message } => p.warn { "Column " code { (field) } ": " (message) },
                        Outcome::Refused(rules) => ul {
                            @for (rule, reason, remedy) in rules { li.warn { strong { (rule) } ": " (reason) " " br; "What to do: " (remedy) } }
                        },
                        Outcome::Error(message) => p.warn { (message) },
                        Outcome::Ready(_) | Outcome::Unchanged(_) => {},
                    }
                }
            }
        }
        h2 { "Ready" }
        @for row in preview.rows.iter().filter(|r| r.outcome.passes()) {
            div.card data-line=(row.line) {
                p { strong { "Line " (row.line) } " · " (row.label) }
                @match &row.outcome {
                    Outcome::Ready(what) => p.ok { (what) },
                    Outcome::Unchanged(what) => p.muted { (what) },
                    _ => {},
                }
            }
        }
    }
}
