//! Every form of every page posts here: `POST /p/{production}/act` with an `action`, the
//! session's anti-forgery token, the fields of that step and `back`, the page to return to.
//! The form becomes one domain command and goes through the same authorization and write path
//! as the API ([`crate::write::authorize`]). A refusal comes back as a page that names every
//! failing rule, says why and what to do next, and links back; alerts raised by an accepted
//! step (a count that does not match) are shown before going back.

use crate::auth::session_secret;
use crate::error::ApiError;
use crate::extract::Writer;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use coldset_app::access::{self, Proof};
use coldset_app::passkey::{Assertion, Expected};
use coldset_app::{App, Request};
use coldset_domain::ids::{ContainerId, FirearmId, LocationId, LotId, PersonId, SceneId};
use coldset_domain::model::{
    AmmoClass, Credential, CredentialKind, FirearmKind, LocationKind, Party, Provenance, Role, VerificationMethod,
};
use coldset_domain::reports::Authority;
use coldset_domain::safety::{
    Agenda, CallSheet, HoldScope, InspectionStage, PlanItem, PlannedLoad, Protection, ScenePlan,
};
use coldset_domain::{Command, ProductionState};
use maud::{html, Markup};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::str::FromStr;

pub fn routes() -> Router<App> {
    Router::new().route("/p/{production}/act", post(act))
}

/// What every form of a page carries: the production it posts to, the session's
/// anti-forgery token and the page to come back to (`back`, the page the form is on).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Forms<'a> {
    pub p: &'a str,
    pub csrf: &'a str,
    pub back: &'a str,
}

impl Forms<'_> {
    /// A form of one step (`action`) around `inner`, with its hidden fields: the step, the
    /// anti-forgery token, `back`, and a key of its own for this rendering of the form
    /// (`submission`), so that sending it again (a retry over a flaky set network, a double
    /// tap) records nothing twice: see `form_idempotency`.
    pub(crate) fn open(&self, action: &str, inner: Markup) -> Markup {
        // Without randomness the form still works; only its retries are not recognised.
        let submission =
            access::random_bytes::<16>().ok().map(|b| b.iter().map(|x| format!("{x:02x}")).collect::<String>());
        html! {
            form method="post" action={ "/p/" (self.p) "/act" } data-action=(action) {
                input type="hidden" name="csrf" value=(self.csrf);
                input type="hidden" name="action" value=(action);
                input type="hidden" name="back" value=(self.back);
                @if let Some(key) = submission { input type="hidden" name="submission" value=(key); }
                (inner)
            }
        }
    }

    /// A whole one-button form with some fields in between.
    pub(crate) fn form(&self, action: &str, fields: Markup, label: &str) -> Markup {
        self.open(action, html! { (fields) button type="submit" { (label) } })
    }
}

/// The idempotency key of a posted form: its `submission` key and what it says. The same
/// rendering sent again with the same fields gets the first answer and records nothing;
/// the same rendering sent with other fields (the browser's back button, a corrected count)
/// is a new request. The digest leaves out the anti-forgery token and the in-person proof
/// (a PIN or passkey answer): the idempotency table must hold nothing a PIN could be
/// guessed back from.
fn form_idempotency(f: &Fields, account: &str) -> Option<coldset_app::IdempotencyKey> {
    let submission = f.opt("submission").filter(|k| !k.is_empty() && k.len() <= 64)?;
    let mut said = String::new();
    for (name, value) in &f.0 {
        if matches!(name.as_str(), "csrf" | "submission" | "pin") || name.starts_with("passkey_") {
            continue;
        }
        // Length-prefixed, so no two different forms spell the same text.
        let _ = write!(said, "{}:{name}{}:{value}", name.len(), value.len());
    }
    let digest = access::hash_token(&said);
    Some(coldset_app::IdempotencyKey {
        account: account.to_owned(),
        key: format!("form:{submission}:{digest}"),
        request_hash: digest,
    })
}

/// The anti-forgery token of the browser's session, for the forms of a page.
pub(crate) fn csrf(headers: &HeaderMap) -> String {
    session_secret(headers).map(|s| access::csrf_token(&s)).unwrap_or_default()
}

pub(crate) fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "input.invalid", message)
}

/// The posted fields, in order (checkboxes repeat a name).
struct Fields(Vec<(String, String)>);

impl Fields {
    /// A field's trimmed value, if it was sent and is not blank.
    fn opt(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
    }

    /// A field exactly as typed (a password: spaces count), required.
    fn exact(&self, name: &str) -> Result<&str, ApiError> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| bad(format!("fill in {name}")))
    }

    fn text(&self, name: &str) -> String {
        self.opt(name).unwrap_or_default().to_owned()
    }

    fn req(&self, name: &str) -> Result<&str, ApiError> {
        self.opt(name).ok_or_else(|| bad(format!("fill in {}", name.replace('_', " "))))
    }

    fn num<T: FromStr>(&self, name: &str) -> Result<T, ApiError> {
        let v = self.req(name)?;
        v.parse().map_err(|_| bad(format!("{} must be a whole number, not '{v}'", name.replace('_', " "))))
    }

    fn id<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Result<T, coldset_domain::ids::IdError>,
    ) -> Result<T, ApiError> {
        parse(self.req(name)?).map_err(|e| bad(e.to_string()))
    }

    fn checked(&self, name: &str) -> bool {
        self.opt(name) == Some("yes")
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// `count:ITEM` fields of a day count.
    fn counts(&self) -> Result<BTreeMap<String, u64>, ApiError> {
        let mut counts = BTreeMap::new();
        for (k, v) in &self.0 {
            if let Some(item) = k.strip_prefix("count:") {
                let n = v.trim().parse().map_err(|_| bad(format!("the count for {item} is not a number")))?;
                counts.insert(item.to_owned(), n);
            }
        }
        Ok(counts)
    }
}

/// How a step is authorized: by the signed-in person, possibly with others confirming in
/// person on the same device, or by a person in front of the device confirming themselves.
enum Who {
    SignedIn(Vec<(PersonId, Proof)>),
    InPerson(PersonId, Proof),
}

/// The in-person proof a form carries: a passkey's answer (filled in by the page's script),
/// else the typed PIN.
fn proof(f: &Fields, expected: &Expected) -> Option<Proof> {
    if let Some(credential_id) = f.opt("passkey_credential") {
        return Some(Proof::Passkey {
            assertion: Assertion {
                credential_id: credential_id.to_owned(),
                client_data: f.text("passkey_client_data"),
                authenticator_data: f.text("passkey_authenticator_data"),
                signature: f.text("passkey_signature"),
            },
            expected: expected.clone(),
        });
    }
    f.opt("pin").map(|pin| Proof::Pin(pin.to_owned()))
}

/// The command a form stands for.
fn command(f: &Fields, state: &ProductionState, expected: &Expected) -> Result<(Command, Who), ApiError> {
    let firearm = || f.id("firearm", FirearmId::parse);
    let scene = || f.id("scene", SceneId::parse);
    let optional_scene = || f.opt("scene").map(SceneId::parse).transpose().map_err(|e| bad(e.to_string()));
    let pin_of = |person: &PersonId| proof(f, expected).map(|p| vec![(person.clone(), p)]).unwrap_or_default();
    let signed_in = |c: Command| Ok((c, Who::SignedIn(Vec::new())));
    let action = f.req("action")?;
    match action {
        // The firearm's steps (the armorer's phone).
        "take" => signed_in(Command::TakeFirearm { firearm: firearm()?, scene: optional_scene()? }),
        // An explicit choice: "Barrel clear" or "Fault found" (with what was found).
        "inspect_pre" | "inspect_post" => {
            let (barrel_clear, fault) = match f.opt("result") {
                Some("clear") => (true, None),
                Some("fault") => (false, Some(f.req("fault").map_err(|_| bad("describe the fault found"))?.to_owned())),
                _ => (f.checked("barrel_clear"), f.opt("fault").map(str::to_owned)),
            };
            signed_in(Command::InspectFirearm {
                firearm: firearm()?,
                stage: if action == "inspect_pre" { InspectionStage::PreUse } else { InspectionStage::PostUse },
                barrel_clear,
                fault,
            })
        }
        "record_competence" => signed_in(Command::RecordCompetence {
            person: f.id("person", PersonId::parse)?,
            firearm: firearm()?,
            notes: f.text("notes"),
        }),
        "record_repair" => signed_in(Command::RecordRepair {
            firearm: firearm()?,
            repaired_by: f.text("repaired_by"),
            notes: f.text("notes"),
        }),
        "withdraw" => signed_in(Command::WithdrawFirearm { firearm: firearm()?, reason: f.text("reason") }),
        "resolve_discrepancy" => signed_in(Command::ResolveDiscrepancy {
            class: AmmoClass::parse(f.req("class")?, f.opt("load")).map_err(bad)?,
            explanation: f.text("explanation"),
        }),
        "load" => signed_in(Command::LoadFirearm {
            firearm: firearm()?,
            container: f.id("container", ContainerId::parse)?,
            count: f.num("count")?,
            dummy_check: f.opt("dummy_check").map(VerificationMethod::parse).transpose().map_err(bad)?,
        }),
        "declare_empty" => signed_in(Command::DeclareEmpty { firearm: firearm()? }),
        "ack_demonstration" | "ack_shown" => {
            let firearm = firearm()?;
            let person = f.id("person", PersonId::parse)?;
            let pin = proof(f, expected).ok_or_else(|| bad("the person confirms with their PIN or passkey"))?;
            let c = if action == "ack_demonstration" {
                Command::AcknowledgeDemonstration { firearm }
            } else {
                Command::AcknowledgeShown { firearm }
            };
            Ok((c, Who::InPerson(person, pin)))
        }
        "hand_off" => {
            let to = f.id("to", PersonId::parse)?;
            let confirmations = pin_of(&to);
            Ok((Command::HandOff { firearm: firearm()?, to, scene: optional_scene()? }, Who::SignedIn(confirmations)))
        }
        "collect" => {
            let firearm = firearm()?;
            // The person handing it back confirms with their PIN when they give one.
            let holder = state.firearms.get(&firearm).and_then(|x| x.holder.person().cloned());
            let confirmations = holder.map(|h| pin_of(&h)).unwrap_or_default();
            Ok((Command::Collect { firearm }, Who::SignedIn(confirmations)))
        }
        "unload" => signed_in(Command::UnloadFirearm {
            firearm: firearm()?,
            fired: f.num("fired")?,
            returned: f.num("returned")?,
        }),
        "store_firearm" => {
            signed_in(Command::StoreFirearm { firearm: firearm()?, location: f.id("location", LocationId::parse)? })
        }
        // The day and storage.
        "open_day" => signed_in(Command::OpenDay {
            call_sheet: CallSheet {
                safety_bulletin_attached: f.checked("bulletin"),
                compliance_contact_shown: f.checked("contact"),
                medics: f.opt("medics").map(|m| vec![m.to_owned()]).unwrap_or_default(),
            },
            counts: f.counts()?,
        }),
        "close_day" => signed_in(Command::CloseDay { counts: f.counts()? }),
        "open_storage" => signed_in(Command::OpenStorage { location: f.id("location", LocationId::parse)? }),
        "close_storage" => signed_in(Command::CloseStorage { location: f.id("location", LocationId::parse)? }),
        "record_notice" => signed_in(Command::RecordAuthorityNotice {
            authority: match f.req("authority")? {
                "studio_safety_office" => Authority::StudioSafetyOffice,
                "local_police" => Authority::LocalPolice,
                other => {
                    return Err(bad(format!("'{other}' is not an authority: studio_safety_office or local_police")))
                }
            },
            date: coldset_domain::time::parse_date(f.req("date")?).map_err(bad)?,
            reference: f.req("reference")?.to_owned(),
        }),
        "resolve_alert" => signed_in(Command::ResolveAlert { alert: f.num("alert")?, note: f.text("note") }),
        // The scene.
        "approve_plan" => signed_in(Command::ApprovePlan { scene: scene()?, version: f.num("version")? }),
        "hold_meeting" => signed_in(Command::HoldMeeting {
            scene: scene()?,
            agenda: Agenda {
                intended_action: f.text("intended_action"),
                deviations: f.text("deviations"),
                abort_plan: f.text("abort_plan"),
                emergency_procedure: f.text("emergency_procedure"),
                chain_of_command: f.text("chain_of_command"),
            },
            attendees: f
                .all("attendee")
                .map(PersonId::parse)
                .collect::<Result<BTreeSet<_>, _>>()
                .map_err(|e| bad(e.to_string()))?,
        }),
        "sign_off_meeting" => signed_in(Command::SignOffMeeting { scene: scene()? }),
        "mark_ready" => signed_in(Command::MarkSceneReady { scene: scene()? }),
        "call_scene" => signed_in(Command::CallScene { scene: scene()? }),
        "wrap_scene" => signed_in(Command::WrapScene { scene: scene()? }),
        // Ammunition.
        "intake_lot" => signed_in(Command::IntakeLot {
            class: AmmoClass::parse(f.req("class")?, f.opt("load")).map_err(bad)?,
            calibre: f.req("calibre")?.to_owned(),
            rounds: f.num("rounds")?,
            provenance: Provenance {
                supplier: f.text("supplier"),
                document: f.text("document"),
                headstamp: f.text("headstamp"),
                previous_production: f.opt("previous_production").map(str::to_owned),
                mixed_source: f.checked("mixed_source"),
            },
            home_made: f.checked("home_made"),
            container_label: f.req("container_label")?.to_owned(),
        }),
        "verify_lot" => signed_in(Command::VerifyLot {
            lot: f.id("lot", LotId::parse)?,
            method: VerificationMethod::parse(f.req("method")?).map_err(bad)?,
            rounds_checked: f.num("rounds_checked")?,
            other_class_found: f.opt("other_class_found").map_or(Ok(0), |_| f.num("other_class_found"))?,
        }),
        "take_container" => signed_in(Command::TakeContainer { container: f.id("container", ContainerId::parse)? }),
        "store_container" => signed_in(Command::StoreContainer {
            container: f.id("container", ContainerId::parse)?,
            location: f.id("location", LocationId::parse)?,
        }),
        // Oversight.
        "acknowledge_report" => signed_in(Command::AcknowledgeReport { report: f.num("report")? }),
        "review_report" => signed_in(Command::ReviewReport { report: f.num("report")?, note: f.text("note") }),
        "answer_report" => signed_in(Command::AnswerReport { report: f.num("report")?, text: f.text("text") }),
        "close_report" => {
            signed_in(Command::CloseReport { report: f.num("report")?, corrective_action: f.text("corrective_action") })
        }
        "place_hold" => signed_in(Command::PlaceHold { scope: HoldScope::AllFirearmWork, reason: f.text("reason") }),
        "set_recipients" => {
            let kind: coldset_domain::reporting::NotificationKind =
                serde_json::from_value(serde_json::Value::String(f.text("kind")))
                    .map_err(|_| bad(format!("'{}' is not a kind of notification", f.text("kind"))))?;
            // One address a line (commas and semicolons are taken as separators too).
            let addresses: Vec<String> = f
                .text("addresses")
                .split(['\n', ',', ';'])
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect();
            signed_in(Command::SetRecipients { kind, addresses })
        }
        "lift_hold" => {
            signed_in(Command::LiftHold { hold: f.num("hold")?, note: f.text("note"), review: f.checked("review") })
        }
        // Set-up (pages/setup.rs, pages/people.rs) and corrections (R-REC-6).
        "add_person" => signed_in(Command::AddPerson { name: f.text("name"), roles: roles(f)? }),
        "assign_role" | "remove_role" => {
            let person = f.id("person", PersonId::parse)?;
            let role = Role::parse(f.req("role")?).map_err(bad)?;
            signed_in(if action == "assign_role" {
                Command::AssignRole { person, role }
            } else {
                Command::RemoveRole { person, role }
            })
        }
        "record_credential" => signed_in(Command::RecordCredential {
            person: f.id("person", PersonId::parse)?,
            credential: credential(f)?,
        }),
        "correct_credential" => signed_in(Command::CorrectCredential {
            person: f.id("person", PersonId::parse)?,
            corrects_seq: f.num("corrects_seq")?,
            reason: f.text("reason"),
            credential: credential(f)?,
        }),
        "approve_supplier" => signed_in(Command::ApproveSupplier { supplier: f.text("supplier") }),
        "add_location" => signed_in(Command::AddLocation {
            name: f.text("name"),
            kind: LocationKind::parse(f.req("kind")?).map_err(bad)?,
            authorised: people(f, "authorised")?,
        }),
        "intake_firearm" => signed_in(Command::IntakeFirearm {
            kind: FirearmKind::parse(f.req("kind")?).map_err(bad)?,
            make: f.text("make"),
            model: f.text("model"),
            serial: f.text("serial"),
            calibre: f.text("calibre"),
            condition: f.text("condition"),
            // Left blank, the supplier and paperwork reach the decider, which refuses the
            // intake naming R-REC-3: the refusal says which rule, not only "fill in".
            acquired_from: Party {
                name: f.text("supplier"),
                licence: f.text("supplier_licence"),
                document: f.text("paperwork"),
            },
        }),
        "correct_firearm" => signed_in(Command::CorrectFirearmDetails {
            firearm: firearm()?,
            corrects_seq: f.num("corrects_seq")?,
            reason: f.text("reason"),
            make: f.text("make"),
            model: f.text("model"),
            serial: f.text("serial"),
            calibre: f.text("calibre"),
        }),
        "create_container" => signed_in(Command::CreateContainer {
            label: f.text("label"),
            class: AmmoClass::parse(f.req("class")?, f.opt("load")).map_err(bad)?,
            calibre: f.text("calibre"),
        }),
        "move_rounds" => signed_in(Command::MoveRounds {
            from: f.id("from", ContainerId::parse)?,
            to: f.id("to", ContainerId::parse)?,
            rounds: f.num("rounds")?,
        }),
        "plan_scene" => signed_in(Command::PlanScene {
            number: f.text("number"),
            description: f.text("description"),
            day: coldset_domain::time::parse_date(f.req("day")?).map_err(bad)?,
            plan: plan(f)?,
        }),
        "revise_plan" => signed_in(Command::RevisePlan { scene: scene()?, plan: plan(f)?, reason: f.text("reason") }),
        other => Err(bad(format!("'{other}' is not a step these pages know"))),
    }
}

/// The roles ticked on a form (`role`, repeated).
fn roles(f: &Fields) -> Result<BTreeSet<Role>, ApiError> {
    f.all("role").map(|r| Role::parse(r.trim()).map_err(bad)).collect()
}

/// The people ticked on a form under `name` (repeated).
fn people(f: &Fields, name: &str) -> Result<BTreeSet<PersonId>, ApiError> {
    f.all(name).map(|x| PersonId::parse(x.trim()).map_err(|e| bad(e.to_string()))).collect()
}

/// A value of one of the plan's snake_case choices (`shield`, `remote_camera`, `take`).
fn choice<T: serde::de::DeserializeOwned>(value: &str, what: &str) -> Result<T, ApiError> {
    serde_json::from_value(serde_json::Value::String(value.trim().to_owned()))
        .map_err(|_| bad(format!("'{value}' is not a {what}")))
}

/// A credential's fields: kind, number, issuer, expiry date and the weapon kinds it covers.
fn credential(f: &Fields) -> Result<Credential, ApiError> {
    Ok(Credential {
        kind: CredentialKind::parse(f.req("kind")?).map_err(bad)?,
        number: f.text("number"),
        issuer: f.text("issuer"),
        expires_on: coldset_domain::time::parse_date(f.req("expires_on")?).map_err(bad)?,
        covers: f.all("covers").map(|k| FirearmKind::parse(k.trim()).map_err(bad)).collect::<Result<_, _>>()?,
    })
}

/// A distance typed in metres ("6", "4.5"), in centimetres.
fn centimetres(text: &str) -> Result<u32, ApiError> {
    let metres: f64 =
        text.trim().replace(',', ".").parse().map_err(|_| bad(format!("'{text}' is not a distance in metres")))?;
    if !(0.0..=10_000.0).contains(&metres) {
        return Err(bad(format!("{text} m is not a distance on a set")));
    }
    // Rounded to the centimetre, which is what the plan records.
    Ok((metres * 100.0).round() as u32)
}

/// A scene plan from the plan form (pages/setup.rs `plan_fields`): its kind, the written risk
/// assessment, who is on the call list, in the line of fire and protected how, and one
/// block of fields per firearm (`item{N}_...`; a block without a firearm is left out).
fn plan(f: &Fields) -> Result<ScenePlan, ApiError> {
    let mut items = Vec::new();
    for i in 0..crate::pages::MAX_PLAN_ITEMS {
        let field = |name: &str| format!("item{i}_{name}");
        let Some(firearm) = f.opt(&field("firearm")) else { continue };
        let load = match f.opt(&field("load")).unwrap_or("empty") {
            "empty" => PlannedLoad::Empty,
            "dummies" => PlannedLoad::Dummies,
            "blanks" => PlannedLoad::Blanks { load: f.req(&field("blank_load"))?.to_owned() },
            other => return Err(bad(format!("'{other}' is not a planned load: empty, dummies or blanks"))),
        };
        items.push(PlanItem {
            firearm: FirearmId::parse(firearm).map_err(|e| bad(e.to_string()))?,
            performer: f.id(&field("performer"), PersonId::parse)?,
            load,
            real_firearm_reason: f.opt(&field("real_reason")).map(str::to_owned),
            toward_person: f.checked(&field("toward_person")),
            toward_camera: f.checked(&field("toward_camera")),
            armorer_consulted: f.checked(&field("consulted")),
            mitigations: f.all(&field("mitigation")).map(|m| choice(m, "mitigation")).collect::<Result<_, _>>()?,
            camera_protection: f
                .opt(&field("camera"))
                .filter(|c| *c != "none")
                .map(|c| choice(c, "camera protection"))
                .transpose()?,
            closest_person_cm: f.opt(&field("closest_m")).map(centimetres).transpose()?,
            close_range_load_approved: f.checked(&field("close_range")),
        });
    }
    let shield = people(f, "shield")?;
    let eye = people(f, "eye")?;
    let hearing = people(f, "hearing")?;
    let protected: BTreeSet<&PersonId> = shield.iter().chain(&eye).chain(&hearing).collect();
    Ok(ScenePlan {
        kind: choice(f.req("kind")?, "kind of scene")?,
        items,
        call_list: people(f, "call_list")?,
        line_of_fire: people(f, "line_of_fire")?,
        protection: protected
            .into_iter()
            .map(|p| Protection {
                person: p.clone(),
                shield: shield.contains(p),
                eye: eye.contains(p),
                hearing: hearing.contains(p),
            })
            .collect(),
        risk_assessment: f.text("risk_assessment"),
    })
}

/// Where to go after the step: a page of this production, never elsewhere.
fn back_to(f: &Fields, p: &str) -> String {
    match f.opt("back") {
        Some(b) if b.starts_with(&format!("/p/{p}")) && crate::html::is_safe_local_path(b) => b.to_owned(),
        _ => format!("/p/{p}"),
    }
}

async fn act(
    State(app): State<App>,
    Path(p): Path<String>,
    axum::Extension(options): axum::Extension<crate::Options>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(fields);
    let back = back_to(&f, &p);
    if let Some(action) = f.opt("action").and_then(crate::pages::kit::KitAction::of) {
        return kit(&app, &headers, &p, &f, action, &back).await;
    }
    let run = async {
        let writer = Writer::from_form(&app, &headers, f.opt("csrf")).await?;
        let principal = writer.principal();
        let production = crate::api::parse_production(&p)?;
        if f.opt("action") == Some("set_pin") {
            crate::passkeys::set_own_pin(
                &app,
                &writer,
                &production,
                "sign in as a person of this production",
                f.req("pin")?,
            )
            .await?;
            return Ok(None);
        }
        if f.opt("action") == Some("change_password") {
            let (app2, account) = (app.clone(), principal.account.clone());
            let (current, new) = (f.exact("current")?.to_owned(), f.exact("new")?.to_owned());
            crate::api::blocking(move || app2.change_password(&account, &current, &new)).await?;
            return Ok(None);
        }
        let idempotency = form_idempotency(&f, &principal.account);
        let state = app.state(&production)?;
        let (command, who) = command(&f, &state, &crate::passkeys::expected(&headers, options))?;
        // A form sent again is answered once its sender is checked, before any in-person
        // proof is checked again (a passkey's answer is for one challenge). A send confirmed
        // by passkey joins its key first: of a double tap only one send gets past the proof,
        // and the other is then answered with that one's receipt (coldset-app inflight.rs).
        let mut send = match (&idempotency, f.opt("passkey_credential")) {
            (Some(k), Some(_)) => Some(app.join_send(&production, k)),
            _ => None,
        };
        let checked = match who {
            Who::SignedIn(confirmations) => {
                crate::write::authorize(&app, &writer, &production, confirmations, idempotency.clone()).await
            }
            Who::InPerson(person, proof) => {
                let app2 = app.clone();
                let (pr, p2, key) = (principal.clone(), production.clone(), idempotency.clone());
                crate::api::blocking(move || {
                    let replayed = || key.map_or(Ok(None), |k| app2.replayed(&p2, &k));
                    access::authorize_in_person(&app2.proofs(), &pr, &state, &p2, &person, proof, replayed)
                })
                .await
            }
        };
        let authorized = match checked {
            Ok(access::Checked::Replayed(first)) => return Ok(Some(first)),
            Ok(access::Checked::Authorized(authorized)) => {
                if let Some(s) = send.as_mut() {
                    s.authorized();
                }
                authorized
            }
            // The passkey's challenge was used up by another send of this form, which got
            // through: its answer is the answer.
            Err(e) => {
                if let (true, Some(joined)) = (e.code == "auth.forbidden", send.take()) {
                    if let Some(first) = joined.answer_of_another(std::time::Duration::from_secs(10)).await {
                        return Ok(Some(first));
                    }
                }
                return Err(e);
            }
        };
        let mut request = Request::new(production.clone(), authorized.actor, command);
        request.attested = authorized.attested;
        request.auth = Some(authorized.auth);
        request.idempotency = idempotency.clone();
        // A double tap whose first send is being recorded at this very moment gets that
        // send's answer from the writer itself (it knows what is in flight); a first send
        // that was refused recorded nothing under the key, so this one gets its own decision.
        let receipt = app.execute_async(request).await.map_err(ApiError::from)?;
        if let Some(s) = send.as_mut() {
            s.finish(&receipt);
        }
        Ok(Some(receipt))
    };
    match run.await {
        Ok(None) => Redirect::to(&back).into_response(),
        Ok(Some(receipt)) if receipt.replayed => already_recorded_page(&receipt, &back),
        Ok(Some(receipt)) => {
            let alerts = alerts_of(&receipt);
            if alerts.is_empty() {
                // The page it goes back to says what was recorded (html::recorded_banner).
                let recorded = match receipt.last_seq() {
                    Some(seq) => format!("{back}{}recorded={seq}", if back.contains('?') { '&' } else { '?' }),
                    None => back,
                };
                return Redirect::to(&recorded).into_response();
            }
            let body = html! {
                h1 { "Recorded, with alerts" }
                div role="alert" { ul { @for (rule, message) in &alerts { li { strong { (rule) } ": " (message) } } } }
                p { "Each alert must be explained and resolved by the armorer, on the day page." }
                p { a.tap href={ "/p/" (p) "/day#alerts" } { "Explain them now" } " " a.tap href=(back) { "Continue" } }
            };
            crate::html::signed_in_page("Recorded, with alerts", body).into_response()
        }
        Err(e) => refusal_page("Refused", &e, &back),
    }
}

/// A scene kit (`take_kit`, `put_away_kit`): not one command but one ordinary request per
/// item (`coldset_app::kit`), each through the write path and its gate; the sender is
/// authorized here exactly as for one step, and the answer lists each item's outcome.
async fn kit(
    app: &App,
    headers: &HeaderMap,
    p: &str,
    f: &Fields,
    action: crate::pages::kit::KitAction,
    back: &str,
) -> Response {
    let run = async {
        let writer = Writer::from_form(app, headers, f.opt("csrf")).await?;
        let production = crate::api::parse_production(p)?;
        let scene = f.id("scene", SceneId::parse)?;
        let fallback = f.opt("location").map(LocationId::parse).transpose().map_err(|e| bad(e.to_string()))?;
        // The form's own key: each item's request carries one made from it (kit.rs), so a
        // kit form sent twice records each item once.
        let idempotency = form_idempotency(f, &writer.principal().account);
        let authorized = match crate::write::authorize(app, &writer, &production, Vec::new(), None).await? {
            access::Checked::Authorized(a) => a,
            // Without a key nothing is looked up, so nothing can be a replay.
            access::Checked::Replayed(_) => return Err(bad("this kit form was already sent")),
        };
        let sender = coldset_app::kit::KitSender { actor: authorized.actor, auth: Some(authorized.auth), idempotency };
        let (app2, p2, sc2) = (app.clone(), production.clone(), scene.clone());
        let lines = crate::api::blocking(move || match action {
            crate::pages::kit::KitAction::TakeOut => app2.take_scene_kit(&p2, &sender, &sc2),
            crate::pages::kit::KitAction::PutAway => app2.put_away_scene_kit(&p2, &sender, &sc2, fallback.as_ref()),
        })
        .await?;
        let state = app.state(&production)?;
        let sc = state.scenes.get(&scene).ok_or_else(|| ApiError::not_found(format!("no scene '{scene}'")))?;
        Ok::<_, ApiError>(crate::pages::kit::answer_page(p, sc, action, &lines, back).into_response())
    };
    match run.await {
        Ok(page) => page,
        Err(e) => refusal_page("Refused", &e, back),
    }
}

/// A form that had been sent and recorded before: say so, with when, rather than
/// silently going back (the page it came from may be an old one, from the browser's
/// history, and the step may need doing again on the page as it is now).
fn already_recorded_page(receipt: &coldset_app::Receipt, back: &str) -> Response {
    let alerts = alerts_of(receipt);
    let body = html! {
        h1 { "Already recorded" }
        div role="status" {
            p {
                "This form was sent before and recorded then"
                @if let Some(e) = receipt.events.first() { " (event " (e.seq) " at " (e.at.to_rfc3339()) ")" }
                ". Nothing new was recorded now."
            }
        }
        @if !alerts.is_empty() {
            div role="alert" {
                p { "It was recorded with alerts, each to be explained and resolved (the day page lists them):" }
                ul { @for (rule, message) in &alerts { li { strong { (rule) } ": " (message) } } }
            }
        }
        p { "If the step must be done again, " a href=(back) { "open the page as it is now" } " and do it from there." }
    };
    crate::html::signed_in_page("Already recorded", body).into_response()
}

/// The alerts a recorded step raised: rule and message.
fn alerts_of(receipt: &coldset_app::Receipt) -> Vec<(coldset_domain::RuleId, &str)> {
    receipt
        .events
        .iter()
        .filter_map(|e| match &e.event {
            coldset_domain::Event::AlertRaised { rule, message } => Some((*rule, message.as_str())),
            _ => None,
        })
        .collect()
}

/// Failing rules, one per line: the rule id, why, and what to do next.
pub(crate) fn violations_list(violations: &[coldset_domain::Violation]) -> Markup {
    html! {
        ul { @for v in violations { li { strong { (v.rule) } ": " (v.reason) " " br; "What to do: " (v.remedy) } } }
    }
}

/// `<option>`s of every storage location of the production.
pub(crate) fn location_options(state: &ProductionState) -> Markup {
    html! { @for l in state.locations.values() { option value=(l.id) { (l.name) } } }
}

/// A refusal shown above the form it refused, which keeps what was typed: every failing
/// rule on its own line, and that nothing was recorded.
pub(crate) fn refusal_box(e: &ApiError) -> Markup {
    html! {
        div.banner.warn role="alert" {
            p {
                strong { "Nothing was recorded. " }
                @if e.violations.is_empty() {
                    (e.message)
                } @else {
                    "Refused by " (e.violations.len()) " rule" @if e.violations.len() != 1 { "s" } ":"
                }
            }
            @if !e.violations.is_empty() { (violations_list(&e.violations)) }
        }
    }
}

/// A refusal: every failing rule on its own line with the reason and what to do next.
pub(crate) fn refusal_page(title: &str, e: &ApiError, back: &str) -> Response {
    let body = html! {
        h1 { (title) }
        div role="alert" {
            p.warn {
                // With rule violations the list says it all, one rule per line; the combined
                // message would only repeat it as one hard-to-read paragraph.
                @if e.violations.is_empty() {
                    (e.message)
                } @else {
                    "Refused by " (e.violations.len()) " rule" @if e.violations.len() != 1 { "s" } ":"
                }
            }
            @if !e.violations.is_empty() { (violations_list(&e.violations)) }
        }
        p { "Nothing was recorded. " a href=(back) { "Go back" } ", put it right, and try again." }
        @if e.status.is_server_error() {
            // What the administrator looks for in the log.
            p { "Request id for the administrator: " code { (e.request_id) } }
        }
    };
    (e.status, crate::html::page(title, body)).into_response()
}
