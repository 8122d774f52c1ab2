//! Scene kits (#19 item 3) through the real binary: "take out everything for scene 12" and
//! "put everything away" from the scene page's two buttons. Each item is its own request
//! through the write path, so each passes its own gate: an item refused is listed with its
//! rules and stays where it was, while the others are recorded; someone who may not take
//! firearms out gets every item refused, and nothing is recorded.

use super::{demo_password, p, sign_in, start, Server};
use serde_json::Value;

const SCENE: &str = "/p/dead-river/scenes/sc-1";

/// Posts a form of the scene page as `session`: its status and the answer's page.
fn post(server: &Server, (session, csrf): &(String, String), fields: &[(&str, &str)]) -> (u16, String) {
    let mut all = vec![("csrf", csrf.as_str()), ("back", SCENE)];
    all.extend_from_slice(fields);
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    match agent.post(&format!("{}/p/dead-river/act", server.base)).set("Cookie", session).send_form(&all) {
        Ok(r) => (r.status(), r.into_string().unwrap()),
        Err(ureq::Error::Status(s, r)) => (s, r.into_string().unwrap()),
        Err(e) => panic!("{e}"),
    }
}

/// A page's text, without its tags.
fn words(page: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for ch in page.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn events(server: &Server) -> u64 {
    server.get("/api/v1/productions/dead-river")["events"].as_u64().unwrap()
}

/// Who holds an item now: a person's id, or a storage location's.
fn holder(server: &Server, what: &str, id: &str) -> String {
    let list: Value = server.get(&format!("/api/v1/productions/dead-river/{what}?limit=500"));
    let item = list["items"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap_or_else(|| panic!("{list}"));
    item["holder"]["id"].as_str().unwrap_or_else(|| panic!("no holder: {item}")).to_owned()
}

/// The card of one item on the kit's answer page.
fn card<'a>(page: &'a str, href: &str) -> &'a str {
    let at = page.find(&format!("href=\"/p/dead-river/{href}\"")).unwrap_or_else(|| panic!("no {href}: {page}"));
    let start = page[..at].rfind("<li").unwrap();
    let end = at + page[at..].find("</li>").unwrap();
    &page[start..end]
}

#[test]
fn a_scene_kit_sends_each_item_through_its_own_gate_and_lists_each_outcome() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let server = start(&["demo", "--data", p(&data)]);
    let maria = sign_in(&server.base, "maria", &demo_password(&data, "maria"));
    let dana = sign_in(&server.base, "dana", &demo_password(&data, "dana"));

    // The scene page has the two buttons.
    let page = ureq::get(&format!("{}{SCENE}", server.base)).set("Cookie", &maria.0).call().unwrap();
    let page = page.into_string().unwrap();
    assert!(page.contains("data-action=\"take_kit\"") && page.contains("data-action=\"put_away_kit\""), "{page}");
    assert!(page.contains("Take out everything for scene 12"), "{page}");

    // The day: the safe opened, the day-open count, and one revolver withdrawn as faulty.
    assert_eq!(post(&server, &maria, &[("action", "open_storage"), ("location", "loc-1")]).0, 303);
    let mut day = vec![("action", "open_day"), ("bulletin", "yes"), ("contact", "yes"), ("medics", "Rae, EMT")];
    for f in ["fa-1", "fa-2", "fa-3", "fa-4", "fa-5", "fa-6"] {
        day.push((Box::leak(format!("count:{f}").into_boxed_str()), "1"));
    }
    day.extend([
        ("count:DUM-45-A", "100"),
        ("count:BLK-45-Q", "50"),
        ("count:BLK-4440-H", "50"),
        ("count:QUAR-45-B", "24"),
    ]);
    let (status, body) = post(&server, &maria, &day);
    assert!(status == 200 || status == 303, "{status} {body}");
    let (status, body) =
        post(&server, &maria, &[("action", "withdraw"), ("firearm", "fa-2"), ("reason", "cylinder binds")]);
    assert_eq!(status, 303, "{body}");

    // The 1st AD may not take firearms or ammunition out: every item is refused by its own
    // rule, and nothing is recorded. (Were the kit to skip the gate, these would move.)
    let before = events(&server);
    let (status, refused) = post(&server, &dana, &[("action", "take_kit"), ("scene", "sc-1")]);
    assert_eq!(status, 200, "{refused}");
    assert!(words(&refused).contains("0 recorded"), "{refused}");
    assert!(card(&refused, "firearms/fa-1").contains("R-ROLE-1"), "{refused}");
    assert!(card(&refused, "containers/ct-1").contains("R-STORE-2"), "{refused}");
    assert_eq!(events(&server), before, "a kit refused item by item records nothing");
    assert_eq!(holder(&server, "firearms", "fa-1"), "loc-1");

    // The armorer: the withdrawn revolver and the quarantined dummies are refused, each
    // naming its rule; the other revolver, the carbine, the verified dummies and the
    // carbine's half-load blanks are recorded, one event each.
    let (status, kit) = post(&server, &maria, &[("action", "take_kit"), ("scene", "sc-1"), ("submission", "k1")]);
    assert_eq!(status, 200, "{kit}");
    assert!(words(&kit).contains("4 recorded, 2 refused"), "{kit}");
    let withdrawn = card(&kit, "firearms/fa-2");
    assert!(withdrawn.contains("R-HAND-5") && withdrawn.contains("Refused"), "{withdrawn}");
    let quarantined = card(&kit, "containers/ct-4");
    assert!(quarantined.contains("R-AMMO-4") && quarantined.contains("Refused"), "{quarantined}");
    for item in ["firearms/fa-1", "firearms/fa-3", "containers/ct-1", "containers/ct-3"] {
        assert!(card(&kit, item).contains("Recorded as"), "{item}: {kit}");
    }
    // The blanks of another calibre and load are not the plan's: not part of the kit.
    assert!(!kit.contains("containers/ct-2\""), "{kit}");
    assert_eq!(events(&server), before + 4);
    assert_eq!(holder(&server, "firearms", "fa-1"), "p-1");
    assert_eq!(holder(&server, "firearms", "fa-3"), "p-1");
    assert_eq!(holder(&server, "firearms", "fa-2"), "loc-1", "a refused item stays where it was");
    assert_eq!(holder(&server, "containers", "ct-4"), "loc-1");
    // Each recorded item is an ordinary take-out for the scene.
    let log = server.get("/api/v1/productions/dead-river/events?limit=500");
    let taken: Vec<&Value> =
        log["items"].as_array().unwrap().iter().filter(|e| e["event"]["kind"] == "firearm.taken_out").collect();
    assert_eq!(taken.len(), 2, "{log}");
    assert!(taken.iter().all(|e| e["event"]["body"]["scene"] == "sc-1"), "{taken:?}");

    // Putting away with the safe locked: each item is refused by R-STORE-3 and stays out.
    assert_eq!(post(&server, &maria, &[("action", "close_storage"), ("location", "loc-1")]).0, 303);
    let before = events(&server);
    let (_, locked) = post(&server, &maria, &[("action", "put_away_kit"), ("scene", "sc-1"), ("location", "")]);
    assert!(
        words(&locked).contains("0 recorded, 4 refused") && card(&locked, "firearms/fa-1").contains("R-STORE-3"),
        "{locked}"
    );
    assert!(card(&locked, "firearms/fa-2").contains("already in storage"), "{locked}");
    assert_eq!(events(&server), before);
    // Opened again: everything goes back where it came from.
    assert_eq!(post(&server, &maria, &[("action", "open_storage"), ("location", "loc-1")]).0, 303);
    let (_, away) = post(&server, &maria, &[("action", "put_away_kit"), ("scene", "sc-1"), ("location", "")]);
    assert!(words(&away).contains("4 recorded, 0 refused"), "{away}");
    for (what, id) in [("firearms", "fa-1"), ("firearms", "fa-3"), ("containers", "ct-1"), ("containers", "ct-3")] {
        assert_eq!(holder(&server, what, id), "loc-1", "{what}/{id}");
    }
}
