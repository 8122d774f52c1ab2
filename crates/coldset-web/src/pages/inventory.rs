//! A production's inventory: who holds which firearm, the ammunition, storage, scenes and
//! people.

use crate::error::ApiError;
use crate::extract::PageReader;
use crate::html::{person_name, production_page};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use coldset_app::App;
use coldset_domain::model::{FirearmStatus, Holder, LoadState, LotState};
use coldset_domain::ProductionState;
use maud::{html, Markup};

fn holder_name(s: &ProductionState, h: &Holder) -> String {
    match h {
        Holder::Person { person } => s.people.get(person).map_or(person.to_string(), |p| {
            let roles: Vec<&str> = p.roles.iter().map(|r| r.as_str()).collect();
            format!("{} ({})", p.name, roles.join(", "))
        }),
        Holder::Storage { location } => {
            s.locations.get(location).map_or(location.to_string(), |l| format!("in {} ({})", l.name, l.kind))
        }
    }
}

fn load_text(l: &LoadState) -> String {
    match l {
        LoadState::Empty => "empty".into(),
        LoadState::Dummies { count } => format!("{count} verified dummies"),
        LoadState::Blanks { count, load } => format!("{count} blanks ({load})"),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct InventoryQuery {
    #[serde(default)]
    created: Option<String>,
}

pub(super) async fn inventory(
    State(app): State<App>,
    Path(p): Path<String>,
    axum::extract::Query(q): axum::extract::Query<InventoryQuery>,
    PageReader(s): PageReader,
) -> Response {
    if s.info.is_none() {
        return crate::extract::page_refusal(&ApiError::not_found("no such production"), &format!("/p/{p}"));
    }
    let title = s.info.as_ref().map_or("", |i| i.name.as_str());
    let body = html! {
        @if q.created.is_some() {
            div.banner.ok role="status" {
                p { strong { "Production created." } " Next: its people, storage, firearms and ammunition." }
                p { a.tap href={ "/p/" (p) "/setup" } { "Set up the production" } }
            }
        }
        (view(&app, &s))
    };
    production_page(&p, title, body).into_response()
}

fn view(app: &App, s: &ProductionState) -> Markup {
    let Some(info) = &s.info else { return html! {} };
    let today = app.today(s);
    html! {
        h1 { (info.name) }
        p.no-print { "Weapon register: " (crate::records::links(info.id.as_str(), coldset_app::records::RecordKind::WeaponRegister, "")) " · " a href={ "/p/" (info.id) "/records" } { "All records" } }
        p.muted {
            "Shoot day " (today) " (" (info.time_zone) ") · policy packs: " (info.packs.join(", "))
            " · compliance contact: " (info.compliance_contact)
        }
        section aria-labelledby="report-h" {
            h2 id="report-h" { "Safety reports" }
            p {
                "Anyone can report a safety concern, anonymously: "
                a href={ "/p/" (info.id) "/report" } { "/p/" (info.id) "/report" }
                " (put this QR code on the call sheet and on set)."
            }
            img src={ "/p/" (info.id) "/report-qr.svg" } alt="QR code for the safety report page" width="160" height="160";
        }
        p { a href={ "/p/" (info.id) "/board" } { "The 1st AD's live board" } }
        p { a href={ "/p/" (info.id) "/import" } { "Import from a spreadsheet (CSV, XLSX), templates and exports" } }
        table {
            caption { "Firearms: who holds what" }
            thead { tr {
                th scope="col" { "Id" } th scope="col" { "Firearm" } th scope="col" { "Kind" }
                th scope="col" { "Serial" } th scope="col" { "Held by" } th scope="col" { "Load" }
                th scope="col" { "Status" }
            } }
            tbody {
                @for f in s.firearms.values() {
                    tr {
                        td data-label="Id" { a href={ "/p/" (info.id) "/firearms/" (f.id) } { (f.id) } }
                        td data-label="Firearm" { (f.make) " " (f.model) " (" (f.calibre) ")" }
                        td data-label="Kind" { (f.kind.as_str().replace('_', " ")) }
                        td data-label="Serial" { (f.serial) }
                        td data-label="Held by" { (holder_name(s, &f.holder)) }
                        td data-label="Load" { (load_text(&f.load)) }
                        td data-label="Status" {
                            @match &f.status {
                                FirearmStatus::InService => {
                                    span.ok { "in service" }
                                    @for o in s.safety.overrides.values().filter(|o| o.firearm == f.id) {
                                        br;
                                        span.warn { "override of " (o.rule) " (scene " (o.scene) "): " (o.reason) }
                                    }
                                }
                                FirearmStatus::Withdrawn { reason } => span.warn { "withdrawn: " (reason) },
                                FirearmStatus::Disposed { disposition, .. } => { "disposed (" (disposition.as_str()) ")" }
                            }
                        }
                    }
                }
            }
        }
        table {
            caption { "Ammunition containers" }
            thead { tr {
                th scope="col" { "Label" } th scope="col" { "Class" } th scope="col" { "Calibre" }
                th scope="col" { "Rounds" } th scope="col" { "Held by" } th scope="col" { "Lots" }
            } }
            tbody {
                @for c in s.containers.values() {
                    tr {
                        td { (c.label) } td { (c.class) } td { (c.calibre) } td { (c.count()) }
                        td { (holder_name(s, &c.holder)) }
                        td {
                            @for (i, (lot, n)) in c.contents.iter().enumerate() {
                                @if i > 0 { br; }
                                (n) " × " (lot) " "
                                @match s.lots.get(lot).map(|l| &l.state) {
                                    Some(LotState::Quarantined { .. }) => span.warn { "QUARANTINED" },
                                    Some(LotState::Verified { .. }) => span.ok { "verified" },
                                    Some(LotState::Rejected { .. }) => span.warn { "REJECTED" },
                                    None => {}
                                }
                            }
                        }
                    }
                }
            }
        }
        table {
            caption { "Ammunition lots and provenance" }
            thead { tr {
                th scope="col" { "Lot" } th scope="col" { "Class" } th scope="col" { "Rounds" }
                th scope="col" { "Supplier / document / headstamp" } th scope="col" { "State" }
            } }
            tbody {
                @for l in s.lots.values() {
                    tr {
                        td { (l.id) }
                        td { (l.class) " " (l.calibre) }
                        td { (l.rounds) }
                        td {
                            (l.provenance.supplier) " / " (l.provenance.document) " / " (l.provenance.headstamp)
                            @if let Some(prev) = &l.provenance.previous_production { " · from previous production " (prev) }
                        }
                        td {
                            @match &l.state {
                                LotState::Quarantined { reason } => { span.warn { "quarantined" } ": " (reason) }
                                LotState::Verified { method, rounds_checked, .. } => {
                                    span.ok { "verified" } " (" (method.as_str().replace('_', " ")) ", " (rounds_checked) " rounds)"
                                }
                                LotState::Rejected { reason } => { span.warn { "rejected" } ": " (reason) }
                            }
                        }
                    }
                }
            }
        }
        table {
            caption { "Storage" }
            thead { tr { th scope="col" { "Location" } th scope="col" { "Kind" } th scope="col" { "State" } } }
            tbody {
                @for l in s.locations.values() {
                    tr {
                        td { (l.name) } td { (l.kind) }
                        td {
                            @match &l.opened {
                                Some((by, at)) => { span.warn { "open" } " since " (crate::html::when(s, *at)) " by " (person_name(s, by)) }
                                None => "locked",
                            }
                        }
                    }
                }
            }
        }
        table {
            caption { "Scenes" }
            thead { tr {
                th scope="col" { "Scene" } th scope="col" { "Day" } th scope="col" { "Description" }
                th scope="col" { "Firearms" } th scope="col" { "Status" }
            } }
            tbody {
                @for sc in s.scenes.values() {
                    tr {
                        td { (sc.number) } td { (sc.day) } td { (sc.description) }
                        td {
                            @for (i, item) in sc.plan.items.iter().enumerate() {
                                @if i > 0 { ", " }
                                (item.firearm) " → " (person_name(s, &item.performer))
                            }
                        }
                        td { (format!("{:?}", sc.status).to_lowercase()) " (plan v" (sc.plan_version) ")" }
                    }
                }
            }
        }
        table {
            caption { "People" }
            thead { tr { th scope="col" { "Name" } th scope="col" { "Roles" } th scope="col" { "Credentials" } } }
            tbody {
                @for person in s.people.values() {
                    tr {
                        td { a href={ "/p/" (info.id) "/people/" (person.id) } { (person.name) } }
                        td { (person.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")) }
                        td {
                            @for (i, c) in person.credentials.iter().enumerate() {
                                @if i > 0 { br; }
                                (c.kind.as_str().replace('_', " ")) " " (c.number) " (to " (c.expires_on) ")"
                                @if !c.in_date_on(today) { " " span.warn { "EXPIRED" } }
                            }
                        }
                    }
                }
            }
        }
    }
}
