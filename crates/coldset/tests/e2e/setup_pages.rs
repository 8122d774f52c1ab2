//! The set-up pages, corrections and histories (#18 items 2, 4, 5) through the real binary:
//! each set-up form posts through the one write path and its record appears; a refused one
//! names its rule and records nothing; a correction shows the value before and after; a
//! record's history is newest first, 20 a page.

use super::{demo_password, form_field, p, sign_in, start, Server};

/// A signed-in browser: its session cookie and anti-forgery token.
struct Browser<'a> {
    server: &'a Server,
    session: String,
    csrf: String,
}

impl<'a> Browser<'a> {
    fn new(server: &'a Server, data: &std::path::Path, who: &str) -> Self {
        let (session, csrf) = sign_in(&server.base, who, &demo_password(data, who));
        Browser { server, session, csrf }
    }

    fn page(&self, path: &str) -> String {
        ureq::get(&format!("{}{path}", self.server.base))
            .set("Cookie", &self.session)
            .call()
            .unwrap_or_else(|e| panic!("{path}: {e}"))
            .into_string()
            .unwrap()
    }

    /// Posts a form of a page: its status (303 when recorded) and the answer's page.
    fn post(&self, action: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let mut all = vec![("csrf", self.csrf.as_str()), ("action", action), ("back", "/p/dead-river/setup")];
        all.extend_from_slice(fields);
        let agent = ureq::AgentBuilder::new().redirects(0).build();
        match agent.post(&format!("{}/p/dead-river/act", self.server.base)).set("Cookie", &self.session).send_form(&all)
        {
            Ok(r) => (r.status(), r.into_string().unwrap()),
            Err(ureq::Error::Status(s, r)) => (s, r.into_string().unwrap()),
            Err(e) => panic!("{action}: {e}"),
        }
    }

    fn recorded(&self, action: &str, fields: &[(&str, &str)]) {
        let (status, body) = self.post(action, fields);
        assert_eq!(status, 303, "{action} was not recorded: {body}");
    }

    /// Refused, naming `rule`, with nothing recorded.
    fn refused(&self, action: &str, fields: &[(&str, &str)], rule: &str) {
        let before = events(self.server);
        let (status, body) = self.post(action, fields);
        assert_eq!(status, 422, "{action} was not refused: {body}");
        assert!(body.contains(rule) && body.contains("Nothing was recorded"), "{action}: {body}");
        assert_eq!(events(self.server), before, "{action}: a refusal records nothing");
    }
}

/// How many events the production's log holds.
fn events(server: &Server) -> u64 {
    let mut from = 0;
    let mut count = 0;
    loop {
        let page = server.get(&format!("/api/v1/productions/dead-river/events?from={from}&limit=500"));
        count += page["items"].as_array().unwrap().len() as u64;
        match page["next_from"].as_u64() {
            Some(next) => from = next,
            None => return count,
        }
    }
}

/// The `data-seq` of each history entry of a page, in page order.
fn history_seqs(page: &str) -> Vec<u64> {
    page.split("data-seq=\"").skip(1).map(|s| s.split('"').next().unwrap().parse().unwrap()).collect()
}

#[test]
fn setup_pages_record_through_the_one_write_path_and_refusals_name_their_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let server = start(&["demo", "--data", p(&data)]);
    let producer = Browser::new(&server, &data, "hal");
    let armorer = Browser::new(&server, &data, "maria");
    let setup = armorer.page("/p/dead-river/setup");
    for section in ["People and roles", "Storage locations", "Take in a firearm", "Approved ammunition suppliers"] {
        assert!(setup.contains(section), "{section}");
    }
    for section in ["Ammunition lots", "Containers", "Plan a scene", "Planned shoot days"] {
        assert!(setup.contains(section), "{section}");
    }
    assert!(armorer.page("/p/dead-river").contains("href=\"/p/dead-river/setup\""), "the set-up page is in the nav");

    // People and roles: a role conflict is refused naming its rule, and shown at once.
    producer.recorded("add_person", &[("name", "Nina Reyes"), ("role", "performer")]);
    let people = producer.page("/p/dead-river/people");
    assert!(people.contains("Nina Reyes"), "{people}");
    producer.refused(
        "add_person",
        &[("name", "Rex Dual"), ("role", "armorer"), ("role", "property_master")],
        "R-ROLE-3",
    );
    assert!(!producer.page("/p/dead-river/people").contains("Rex Dual"));
    producer.refused("assign_role", &[("person", "p-1"), ("role", "property_master")], "R-ROLE-3");
    let maria = producer.page("/p/dead-river/people/p-1");
    let props = maria.split("value=\"property_master\"").nth(1).unwrap().split("</p>").next().unwrap();
    assert!(props.contains("an armorer has no other department role"), "the reason is shown: {props}");
    assert!(props.contains("would be refused: R-ROLE-3"), "{props}");
    assert!(maria.contains("href=\"/p/dead-river/people/p-1/account\""), "the sign-in account is linked");
    // Ben (crew) becomes a performer too, then is crew only again.
    producer.recorded("assign_role", &[("person", "p-8"), ("role", "performer")]);
    assert!(producer.page("/p/dead-river/people/p-8").contains("Remove performer"));
    producer.recorded("remove_role", &[("person", "p-8"), ("role", "performer")]);
    assert!(!producer.page("/p/dead-river/people/p-8").contains("Remove performer"));

    // Credentials and training, with expiry and whether valid today.
    let nina_id = {
        let page = producer.page("/p/dead-river/people");
        let before = page.split("Nina Reyes").next().unwrap();
        let id = before.rsplit("/p/dead-river/people/").next().unwrap();
        id.split('"').next().unwrap().to_owned()
    };
    producer.recorded(
        "record_credential",
        &[
            ("person", &nina_id),
            ("kind", "safety_course"),
            ("number", "SC-5521"),
            ("issuer", "Set Safety Ltd"),
            ("expires_on", "2099-06-30"),
        ],
    );
    let nina = producer.page(&format!("/p/dead-river/people/{nina_id}"));
    assert!(nina.contains("SC-5521") && nina.contains("valid today") && nina.contains("2099-06-30"), "{nina}");
    producer.refused(
        "record_credential",
        &[
            ("person", &nina_id),
            ("kind", "licence"),
            ("number", "L-1"),
            ("issuer", "State"),
            ("expires_on", "2099-01-01"),
        ],
        "R-REC-4",
    );

    // Storage, suppliers, firearms (with provenance), containers.
    armorer.recorded("add_location", &[("name", "Night safe"), ("kind", "safe"), ("authorised", "p-1")]);
    armorer.recorded("approve_supplier", &[("supplier", "Prop Rounds & Co")]);
    let intake = |serial: &'static str, supplier: &'static str, paperwork: &'static str| {
        vec![
            ("kind", "replica"),
            ("make", "Denix"),
            ("model", "SAA replica"),
            ("serial", serial),
            ("calibre", ".45 Colt"),
            ("condition", "good"),
            ("supplier", supplier),
            ("paperwork", paperwork),
        ]
    };
    armorer.refused("intake_firearm", &intake("RPL-000", "", ""), "R-REC-3");
    armorer.recorded("intake_firearm", &intake("RPL-777", "Prop House West", "rental 4410"));
    armorer.recorded("create_container", &[("label", "DUM-NEW-1"), ("class", "dummy"), ("calibre", ".45 Colt")]);
    armorer.refused("create_container", &[("label", "LIVE-1"), ("class", "live"), ("calibre", ".45 Colt")], "R-AMMO-1");
    let setup = armorer.page("/p/dead-river/setup");
    for shown in ["Night safe", "Prop Rounds &amp; Co", "RPL-777", "Prop House West", "DUM-NEW-1"] {
        assert!(setup.contains(shown), "{shown} is not on the set-up page");
    }
    assert!(!setup.contains("RPL-000"));

    // A scene and its plan, on a planned shoot day; a plan that breaks a rule is refused.
    let day = form_field(&setup, "plan_scene", "day");
    let firearm = {
        let s = setup.split("RPL-777").next().unwrap();
        s.rsplit("/p/dead-river/firearms/").next().unwrap().split('"').next().unwrap().to_owned()
    };
    let plan = |risk: &'static str| {
        let mut fields = vec![
            ("number", "77"),
            ("description", "Nina draws on the stranger"),
            ("day", day.as_str()),
            ("kind", "take"),
            ("item0_firearm", firearm.as_str()),
            ("item0_performer", nina_id.as_str()),
            ("item0_load", "empty"),
            ("item0_camera", "none"),
            ("call_list", nina_id.as_str()),
        ];
        fields.push(("risk_assessment", risk));
        fields
    };
    armorer.refused("plan_scene", &plan(" "), "R-REC-1");
    armorer.recorded("plan_scene", &plan("Replica only; no firing; draw away from crew."));
    let setup = armorer.page("/p/dead-river/setup");
    assert!(setup.contains("Scene 77") && setup.contains(&day), "the scene and its day are listed");
    let scene = setup.split("Scene 77").next().unwrap().rsplit("/p/dead-river/scenes/").next().unwrap();
    let scene = scene.split('"').next().unwrap().to_owned();
    let mut revised = plan("Replica only; no firing; the draw now away from camera and crew.");
    revised.retain(|(k, _)| !matches!(*k, "number" | "description" | "day"));
    revised.extend([("scene", scene.as_str()), ("reason", "blocking changed")]);
    armorer.recorded("revise_plan", &revised);
    let page = armorer.page(&format!("/p/dead-river/scenes/{scene}"));
    assert!(page.contains("Plan, version 2") && page.contains("away from camera"), "{page}");

    // Rounds move only between containers the mover holds (R-ROLE-1).
    let new_container = {
        let s = setup.split("DUM-NEW-1").next().unwrap();
        s.rsplit("/p/dead-river/containers/").next().unwrap().split('"').next().unwrap().to_owned()
    };
    armorer.refused("move_rounds", &[("from", "ct-1"), ("to", &new_container), ("rounds", "5")], "R-ROLE-1");
}

#[test]
fn corrections_show_both_values_and_histories_are_newest_first_twenty_a_page() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let server = start(&["demo", "--data", p(&data)]);
    let armorer = Browser::new(&server, &data, "maria");
    let firearm = "/p/dead-river/firearms/fa-1";

    // A mistyped serial, corrected from the firearm's page: both values are shown.
    let page = armorer.page(firearm);
    assert!(page.contains("SAA-BF-1021"), "{page}");
    let seq = form_field(&page, "correct_firearm", "corrects_seq");
    let correct = |seq: &str, serial: &str, reason: &str| {
        armorer.recorded(
            "correct_firearm",
            &[
                ("firearm", "fa-1"),
                ("corrects_seq", seq),
                ("make", &form_field(&page, "correct_firearm", "make")),
                ("model", &form_field(&page, "correct_firearm", "model")),
                ("serial", serial),
                ("calibre", &form_field(&page, "correct_firearm", "calibre")),
                ("reason", reason),
            ],
        )
    };
    correct(&seq, "SAA-BF-1012", "digits swapped at intake");
    let page = armorer.page(firearm);
    assert!(page.contains("<del>SAA-BF-1021</del>"), "the original is shown: {page}");
    assert!(page.contains("<strong>SAA-BF-1012</strong>") && page.contains("digits swapped at intake"), "{page}");
    let in_force = form_field(&page, "correct_firearm", "corrects_seq");
    assert_ne!(in_force, seq, "the next correction names the correction now in force");

    // A wrong expiry date, corrected from the person's page: both dates are shown.
    let person = armorer.page("/p/dead-river/people/p-1");
    let cred_seq = form_field(&person, "correct_credential", "corrects_seq");
    let old_expiry = form_field(&person, "correct_credential", "expires_on");
    let kind = "licence";
    let number = form_field(&person, "correct_credential", "number");
    let issuer = form_field(&person, "correct_credential", "issuer");
    let producer = Browser::new(&server, &data, "hal");
    producer.refused(
        "correct_credential",
        &[
            ("person", "p-1"),
            ("corrects_seq", "0"),
            ("kind", kind),
            ("number", &number),
            ("issuer", &issuer),
            ("expires_on", "2031-01-31"),
            ("covers", "real_firing"),
            ("reason", "expiry mistyped"),
        ],
        "R-REC-6",
    );
    producer.recorded(
        "correct_credential",
        &[
            ("person", "p-1"),
            ("corrects_seq", &cred_seq),
            ("kind", kind),
            ("number", &number),
            ("issuer", &issuer),
            ("expires_on", "2031-01-31"),
            ("covers", "real_firing"),
            ("covers", "blank_adapted"),
            ("reason", "expiry mistyped"),
        ],
    );
    let person = armorer.page("/p/dead-river/people/p-1");
    assert!(
        person.contains(&format!("<del>{old_expiry}</del>")) && person.contains("<strong>2031-01-31</strong>"),
        "{person}"
    );
    assert!(person.contains("expiry mistyped") && person.contains("Corrections (R-REC-6)"));

    // 21 more entries on the firearm: its history is newest first, 20 a page.
    let mut serials = Vec::new();
    for i in 0..21 {
        let page = armorer.page(firearm);
        let seq = form_field(&page, "correct_firearm", "corrects_seq");
        let serial = format!("SAA-BF-{}", 2000 + i);
        correct(&seq, &serial, "test of the history");
        serials.push(serial);
    }
    let first = armorer.page(firearm);
    let seqs = history_seqs(&first);
    assert_eq!(seqs.len(), 20, "20 a page: {seqs:?}");
    assert!(seqs.windows(2).all(|w| w[0] > w[1]), "newest first: {seqs:?}");
    let newest = first.split("data-seq=").nth(1).unwrap();
    assert!(newest.contains("SAA-BF-2020") && newest.contains("By Maria Vega"), "the newest entry is the last step");
    let older = first.split("?before=").nth(1).expect("a link to older entries");
    let before: u64 = older.split('#').next().unwrap().parse().unwrap();
    assert_eq!(before, *seqs.last().unwrap());
    let second = armorer.page(&format!("{firearm}?before={before}"));
    let rest = history_seqs(&second);
    assert!(!rest.is_empty() && rest.iter().all(|s| *s < before), "{rest:?}");
    assert!(rest.windows(2).all(|w| w[0] > w[1]), "newest first: {rest:?}");
    assert!(second.contains("firearm.received") || second.contains("received from"), "the intake is on the last page");

    // The container, lot and person pages show their histories too.
    for path in ["/p/dead-river/containers/ct-1", "/p/dead-river/lots/lot-1", "/p/dead-river/people/p-1"] {
        let page = armorer.page(path);
        assert!(page.contains("id=\"history\"") && !history_seqs(&page).is_empty(), "{path}");
    }
}
