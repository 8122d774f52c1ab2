//! Moving an installation from SQLite to PostgreSQL (#20) through the real binary, into a
//! real PostgreSQL server this test binary starts (`pg_server`): every event, checkpoint,
//! projection, account, PIN and token arrives and verifies; `serve --database` opens the copy
//! (the start-up check passes) and the log goes on; the SQLite copy is no longer opened; a
//! database that already holds the productions, or anything, is refused.

use super::pg_server::server;
use super::{coldset, demo_password, make_demo_ledger, p, sign_in, start, text};

#[test]
fn a_sqlite_installation_moves_to_postgres_verified_and_serves_from_there() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, n) = make_demo_ledger(tmp.path());
    let maria = demo_password(&data, "maria");
    // A token made before the move still works after it.
    let o = coldset(&["token", "create", "--data", p(&data), "--account", "admin"]);
    assert!(o.status.success(), "{}", text(&o));
    let token = String::from_utf8_lossy(&o.stdout).trim().to_owned();
    let url = server().fresh_db("moved");

    // Not while a server writes to the directory.
    {
        let running = start(&["serve", "--data", p(&data)]);
        let o = coldset(&["move", "--data", p(&data), "--to", &url]);
        assert!(!o.status.success() && text(&o).contains("another coldset process"), "{}", text(&o));
        running.stop();
    }
    let events_before = {
        let running = start(&["serve", "--data", p(&data)]);
        let n = running.get("/api/v1/productions/dead-river")["events"].as_u64().unwrap();
        running.stop();
        n
    };
    assert!(events_before >= n);

    let o = coldset(&["move", "--data", p(&data), "--to", &url]);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains(&format!("moved dead-river: {events_before} events")), "{out}");
    assert!(out.contains("projections match"), "{out}");

    // The SQLite copy is not served again by mistake (two copies growing apart would fork
    // the log).
    let o = coldset(&["serve", "--data", p(&data), "--listen", "127.0.0.1:0"]);
    assert!(!o.status.success() && text(&o).contains("moved to PostgreSQL"), "{}", text(&o));
    // Nor backed up as if it were the log.
    let o = coldset(&["backup", "--data", p(&data), "--out", p(&tmp.path().join("stale.tar"))]);
    assert!(!o.status.success() && text(&o).contains("moved to PostgreSQL"), "{}", text(&o));
    // Moving again, into the same database or another: refused.
    for to in [url.clone(), server().fresh_db("again")] {
        let o = coldset(&["move", "--data", p(&data), "--to", &to]);
        assert!(!o.status.success() && text(&o).contains("moved to PostgreSQL already"), "{}", text(&o));
    }

    // Served from PostgreSQL: the start-up check passes against the checkpoint copies, the
    // people sign in as before, the old token reads, and the log goes on.
    let pg = start(&["serve", "--data", p(&data), "--database", &url]);
    let summary: serde_json::Value = serde_json::from_str(
        &ureq::get(&format!("{}/api/v1/productions/dead-river", pg.base))
            .set("Authorization", &format!("Bearer {token}"))
            .call()
            .unwrap()
            .into_string()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(summary["events"].as_u64(), Some(events_before));
    sign_in(&pg.base, "maria", &maria);
    ureq::post(&format!("{}/api/v1/productions/dead-river/reports", pg.base))
        .set("Content-Type", "application/json")
        .send_string(r#"{"severity":"information","text":"the first event in PostgreSQL"}"#)
        .unwrap();
    pg.stop();
    let o = coldset(&["verify", "--data", p(&data), "--database", &url]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains(&format!("dead-river: {} events ok", events_before + 1)), "{}", text(&o));

    // The key rotates on PostgreSQL as on SQLite; the auditor's first key still verifies all.
    let first_key = std::fs::read_to_string(data.join("ledger.pub")).unwrap().trim().to_owned();
    let o = coldset(&["key", "rotate", "--data", p(&data), "--database", &url]);
    assert!(o.status.success(), "{}", text(&o));
    let pg = start(&["serve", "--data", p(&data), "--database", &url]);
    ureq::post(&format!("{}/api/v1/productions/dead-river/reports", pg.base))
        .set("Content-Type", "application/json")
        .send_string(r#"{"severity":"information","text":"signed by the new key"}"#)
        .unwrap();
    pg.stop();
    let o = coldset(&["verify", "--data", p(&data), "--database", &url, "--key", &first_key]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains(&format!("dead-river: {} events ok", events_before + 2)), "{}", text(&o));

    // A database that already holds an installation (here: initialised with an account) is
    // refused, and keeps what it held.
    let other_url = server().fresh_db("taken");
    let o = coldset(&["init", "--data", p(&tmp.path().join("other")), "--database", &other_url]);
    assert!(o.status.success(), "{}", text(&o));
    let second = tmp.path().join("second");
    let (second_data, _) = make_demo_ledger(&second);
    let o = coldset(&["move", "--data", p(&second_data), "--to", &other_url]);
    assert!(!o.status.success() && text(&o).contains("not empty"), "{}", text(&o));
    let o = coldset(&["move", "--data", p(&second_data), "--to", &url]);
    assert!(!o.status.success() && text(&o).contains("already holds production dead-river"), "{}", text(&o));
    // Refused moves leave the SQLite installation as it was.
    start(&["serve", "--data", p(&second_data)]).stop();
}
