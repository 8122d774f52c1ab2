//! Records out (issue #21, docs/records.md): each record's CSV holds the expected names,
//! serials and counts; `coldset verify --record` passes an untouched record and names the
//! row or the checkpoint of a changed, added or removed row, rows of another production and
//! a checkpoint never signed; the report endpoints answer bad input with a clear error or
//! an empty record, never a server error.

use super::{coldset, demo_password, make_demo_ledger, p, sign_in, start, text};
use std::path::Path;

/// The rows of a record's CSV, as a spreadsheet reads them.
fn rows(csv: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(csv.as_bytes());
    r.records().map(|rec| rec.unwrap().iter().map(str::to_owned).collect()).collect()
}

/// The rows of one table (without its header), each as column name -> cell.
fn table(csv: &str, name: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let all = rows(csv);
    let mut header: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for line in all {
        if line[0] == "table" {
            header = line;
        } else if line[0] == name {
            out.push(header.iter().cloned().zip(line).collect());
        }
    }
    out
}

fn write(path: &Path, lines: &[Vec<String>]) {
    let mut w = csv::WriterBuilder::new().flexible(true).from_path(path).unwrap();
    for l in lines {
        w.write_record(l).unwrap();
    }
    w.flush().unwrap();
}

fn report(data: &Path, production: &str, kind: &str, extra: &[&str], out: &Path) -> String {
    let mut args = vec!["report", kind, "--data", p(data), "--production", production, "--out", p(out)];
    args.extend_from_slice(extra);
    let o = coldset(&args);
    assert!(o.status.success(), "report {kind}: {}", text(&o));
    std::fs::read_to_string(out).unwrap()
}

#[test]
fn records_verify_and_every_change_is_named_by_its_row_or_checkpoint() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, _) = make_demo_ledger(tmp.path());
    // A second production in the same installation, for rows that are not this one's.
    {
        let server = start(&["serve", "--data", p(&data)]);
        let token = server.token.clone().unwrap();
        let r = ureq::post(&format!("{}/api/v1/productions", server.base))
            .set("Authorization", &format!("Bearer {token}"))
            .set("Content-Type", "application/json")
            .send_string(
                &serde_json::json!({"id": "other-film", "name": "Another film", "time_zone": "Europe/London",
                    "packs": ["industry-us"], "compliance_contact": "Safety office: +44 20 0000 0000"})
                .to_string(),
            )
            .unwrap();
        assert_eq!(r.status(), 200);
        server.stop();
    }
    let key = std::fs::read_to_string(data.join("ledger.pub")).unwrap();
    let key = key.trim();

    // Each record's CSV holds what the demo recorded.
    let weapons = report(&data, "dead-river", "weapon-register", &[], &tmp.path().join("w.csv"));
    let firearms = table(&weapons, "firearms");
    let serials: Vec<&str> = firearms.iter().map(|r| r["serial"].as_str()).collect();
    for serial in ["SAA-BF-1021", "SAA-BF-1022", "W73-BF-340", "SCG-88213"] {
        assert!(serials.contains(&serial), "{serial} missing from {serials:?}");
    }
    assert!(firearms.iter().all(|r| r["acquired_from"] == "Sandia Prop House" && r["received_by"] == "Maria Vega"));
    assert!(firearms.iter().all(|r| r["where_now"].starts_with("stored: ")), "{firearms:?}");
    assert!(firearms.iter().all(|r| !r["events"].is_empty()));
    // Kinds in words, as the pages show them, not as codes.
    let kind_of = |serial: &str| firearms.iter().find(|r| r["serial"] == serial).unwrap()["kind"].clone();
    assert_eq!(kind_of("SAA-BF-1021"), "blank adapted");
    let ammo = report(&data, "dead-river", "ammunition-register", &[], &tmp.path().join("a.csv"));
    let lots = table(&ammo, "lots");
    let dummies = lots.iter().find(|r| r["container"] == "DUM-45-A").unwrap();
    assert_eq!((dummies["rounds"].as_str(), dummies["class"].as_str()), ("100", "dummy"));
    assert!(dummies["verification"].starts_with("verified by Maria Vega"), "{dummies:?}");
    let quarantined = lots.iter().find(|r| r["container"] == "QUAR-45-B").unwrap();
    assert_eq!(quarantined["verification"], "quarantined");
    let moves = table(&ammo, "movements");
    assert!(moves.iter().any(|r| r["container"] == "DUM-45-A" && r["rounds_in"] == "100"), "{moves:?}");
    let training = report(&data, "dead-river", "training-register", &[], &tmp.path().join("t.csv"));
    let creds = table(&training, "credentials");
    assert!(creds.iter().any(|r| r["name"] == "Maria Vega" && r["kind"] == "licence"), "{creds:?}");
    assert!(creds.iter().any(|r| r["covers"] == "real firing, blank adapted"), "{creds:?}");
    let calls = table(&training, "call_lists");
    assert!(!calls.is_empty() && calls.iter().all(|r| r["covered"] == "yes" || r["covered"] == "no"));
    let compliance = report(&data, "dead-river", "compliance-pack", &[], &tmp.path().join("c.csv"));
    assert!(!table(&compliance, "plans").is_empty());

    let bundle = tmp.path().join("dead-river.bundle");
    let o = coldset(&["export", "--data", p(&data), "--production", "dead-river", "--out", p(&bundle)]);
    assert!(o.status.success(), "{}", text(&o));
    let verify = |file: &Path| coldset(&["verify", "--record", p(file), "--key", key, "--bundle", p(&bundle)]);
    for f in ["w.csv", "a.csv", "t.csv", "c.csv"] {
        let o = verify(&tmp.path().join(f));
        assert!(o.status.success(), "{f}: {}", text(&o));
        assert!(text(&o).contains("record ok"), "{}", text(&o));
    }

    // Each kind of change fails and names what changed.
    let original = rows(&weapons);
    let second = original.iter().position(|l| l[0] == "firearms").unwrap() + 1;
    let serial_col = original[0].iter().position(|c| c == "serial").unwrap();
    let other_compliance = report(&data, "other-film", "compliance-pack", &[], &tmp.path().join("o.csv"));
    let foreign: Vec<String> = rows(&other_compliance).into_iter().find(|l| l[0] == "policy").unwrap();
    let compliance_rows = rows(&compliance);
    let cases: Vec<(&str, Vec<Vec<String>>, &str)> = vec![
        (
            "one changed cell",
            {
                let mut l = original.clone();
                l[second][serial_col] = "SAA-BF-0000".into();
                l
            },
            "row 2",
        ),
        (
            "a deleted row",
            {
                let mut l = original.clone();
                l.remove(second);
                l
            },
            "row 2",
        ),
        (
            "an added row",
            {
                let mut l = original.clone();
                let mut extra = l[second].clone();
                extra[serial_col] = "NEW-1".into();
                l.insert(second + 1, extra);
                l
            },
            "was added",
        ),
        (
            "a row of another production",
            {
                let mut l = compliance_rows.clone();
                let at = l.iter().position(|l| l[0] == "policy").unwrap() + 1;
                l.insert(at, foreign.clone());
                l
            },
            "was added",
        ),
        (
            "a checkpoint never signed",
            {
                // The identity's note and size changed to a checkpoint the key never signed.
                let mut l = original.clone();
                for line in l.iter_mut().filter(|l| l[0] == "record") {
                    if line[1] == "checkpoint_note" {
                        let mut parts: Vec<String> = line[2].split('\n').map(str::to_owned).collect();
                        parts[1] = (parts[1].parse::<u64>().unwrap() - 1).to_string();
                        line[2] = parts.join("\n");
                    }
                }
                l
            },
            "CHECKPOINT",
        ),
        (
            "a record of another production relabelled",
            {
                let mut l = rows(&other_compliance);
                for line in l.iter_mut().filter(|l| l[0] == "record" && l[1] == "production") {
                    line[2] = "dead-river".into();
                }
                l
            },
            "CHECKPOINT",
        ),
    ];
    for (name, lines, names) in cases {
        let file = tmp.path().join("changed.csv");
        write(&file, &lines);
        let o = verify(&file);
        assert!(!o.status.success(), "{name} was not detected: {}", text(&o));
        assert!(text(&o).contains(names), "{name}: expected '{names}' in: {}", text(&o));
    }
    // The changed cell is named with its column and both values.
    let mut l = original.clone();
    l[second][serial_col] = "SAA-BF-0000".into();
    let file = tmp.path().join("changed.csv");
    write(&file, &l);
    let said = text(&verify(&file));
    assert!(said.contains("'serial'") && said.contains("SAA-BF-0000") && said.contains("table 'firearms'"), "{said}");
    // The same record as a PDF (US Letter): it reads back with its serials and checkpoint,
    // carries its CSV, and verifies, pages included.
    let pdf = tmp.path().join("w.pdf");
    let mut cmd = vec!["report", "weapon-register", "--data", p(&data), "--production", "dead-river"];
    cmd.extend(["--format", "pdf", "--paper", "letter", "--out", p(&pdf)]);
    let o = coldset(&cmd);
    assert!(o.status.success(), "{}", text(&o));
    let first_page = super::pdf::page_text(&pdf, 1, None);
    assert!(first_page.contains("Weapon register") && first_page.contains("Checkpoint: log size"), "{first_page}");
    let all_pages = String::from_utf8(super::pdf::tool("pdftotext", &["-layout", p(&pdf), "-"]).stdout).unwrap();
    assert!(all_pages.contains("SAA-BF-1021"), "{all_pages}");
    super::pdf::tool(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            p(&pdf),
            p(&super::pdf::screenshots().join("record-weapon-register-letter")),
        ],
    );
    let o = verify(&pdf);
    assert!(o.status.success() && text(&o).contains("pages are the record's rendering"), "{}", text(&o));
    let bytes = std::fs::read(&pdf).unwrap();
    let at = |needle: &[u8]| bytes.windows(needle.len()).position(|w| w == needle).unwrap();
    // (The attached CSV is compressed inside the PDF; its rows go through the same
    // comparison as a CSV file's, whose changes are tested above.)
    // The pages changed, the attached CSV left alone: a digit of the first page's size.
    let mut changed = bytes.clone();
    let media = at(b"/MediaBox");
    let digit = media + changed[media..].iter().position(|b| (b'1'..=b'8').contains(b)).unwrap();
    changed[digit] += 1;
    std::fs::write(&pdf, &changed).unwrap();
    let o = verify(&pdf);
    assert!(!o.status.success() && text(&o).contains("printed text or photos were changed"), "{}", text(&o));
    // Not a record's PDF at all.
    std::fs::write(&pdf, b"%PDF-1.7\n%%EOF\n").unwrap();
    let o = verify(&pdf);
    assert!(!o.status.success() && text(&o).contains("w.pdf"), "{}", text(&o));
    // A key that is not the production's.
    let elsewhere = tmp.path().join("elsewhere");
    assert!(coldset(&["init", "--data", p(&elsewhere)]).status.success());
    let stranger = std::fs::read_to_string(elsewhere.join("ledger.pub")).unwrap();
    let o = coldset(&[
        "verify",
        "--record",
        p(&tmp.path().join("w.csv")),
        "--key",
        stranger.trim(),
        "--bundle",
        p(&bundle),
    ]);
    assert!(!o.status.success() && text(&o).contains("CHECKPOINT"), "{}", text(&o));
    // Another production's bundle.
    let other_bundle = tmp.path().join("other.bundle");
    assert!(coldset(&["export", "--data", p(&data), "--production", "other-film", "--out", p(&other_bundle)])
        .status
        .success());
    let o = coldset(&["verify", "--record", p(&tmp.path().join("w.csv")), "--key", key, "--bundle", p(&other_bundle)]);
    assert!(!o.status.success() && text(&o).contains("other-film"), "{}", text(&o));
}

#[test]
fn the_report_endpoints_answer_bad_input_clearly_and_never_with_a_server_error() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("demo");
    let server = start(&["demo", "--data", p(&data)]);
    let token = server.token.clone().unwrap();
    let base = format!("{}/api/v1/productions/dead-river/records", server.base);
    let get = |path: &str, auth: &str| -> (u16, String, String) {
        let req = ureq::get(&format!("{base}{path}"));
        let req = if auth.starts_with("coldset_session=") {
            req.set("Cookie", auth)
        } else {
            req.set("Authorization", &format!("Bearer {auth}"))
        };
        match req.call() {
            Ok(r) => (r.status(), r.content_type().to_owned(), r.into_string().unwrap()),
            Err(ureq::Error::Status(s, r)) => (s, r.content_type().to_owned(), r.into_string().unwrap()),
            Err(e) => panic!("{path}: {e}"),
        }
    };
    // Records are made from a signed checkpoint: wait for the first one.
    super::wait_for("a checkpoint", || data.join("checkpoints.jsonl").exists());
    let (status, ctype, body) = get("/weapon-register?format=csv", &token);
    assert_eq!(status, 200, "{body}");
    assert!(ctype.starts_with("text/csv"), "{ctype}");
    assert!(body.contains("SAA-BF-1021"), "{body}");
    let (status, _, body) = get("/weapon-register", &token);
    assert_eq!(status, 200, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["kind"], "weapon-register");
    assert!(json["verify_url"].as_str().unwrap().contains("/p/dead-river/records/weapon-register?at="));
    let cases: &[(&str, u16, &str)] = &[
        ("/no-such-record?format=csv", 404, "record.unknown_kind"),
        ("/daily-log?format=csv", 400, "record.invalid"),
        ("/daily-log?day=not-a-day", 400, "record.invalid"),
        ("/daily-log?from=2006-01-01&to=2026-01-01", 400, "record.invalid"),
        ("/ammunition-register?from=2026-02-01&to=2026-01-01", 400, "record.invalid"),
        ("/incident-pack?incident=3", 404, "record.not_found"),
        ("/incident-pack", 400, "record.invalid"),
        ("/hand-off-receipt?seq=99999999", 404, "record.not_found"),
        ("/weapon-register?format=xls", 400, "record.invalid"),
        ("/weapon-register?format=pdf&paper=a3", 400, "record.invalid"),
    ];
    for (path, want, code) in cases {
        let (status, _, body) = get(path, &token);
        assert_eq!(status, *want, "{path}: {body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["code"], *code, "{path}: {body}");
        assert!(!v["message"].as_str().unwrap().is_empty());
    }
    // The PDF over the API: a PDF of the same rows.
    let r = ureq::get(&format!("{base}/weapon-register?format=pdf"))
        .set("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(r.content_type(), "application/pdf");
    let mut pdf = Vec::new();
    std::io::Read::read_to_end(&mut r.into_reader(), &mut pdf).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let file = tmp.path().join("api.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let all_pages = String::from_utf8(super::pdf::tool("pdftotext", &[p(&file), "-"]).stdout).unwrap();
    assert!(all_pages.contains("SAA-BF-1021"), "{all_pages}");
    // A day with no events: an empty record, not an error.
    let (status, _, body) = get("/daily-log?day=2020-01-01&format=csv", &token);
    assert_eq!(status, 200, "{body}");
    assert!(table(&body, "steps").is_empty() && table(&body, "firearms").is_empty(), "{body}");
    assert!(body.contains("record,day,2020-01-01"), "{body}");
    // A production the caller cannot read, and a performer asking for a register.
    let (status, _, body) = ureq::get(&format!("{}/api/v1/productions/nowhere/records/weapon-register", server.base))
        .set("Authorization", &format!("Bearer {token}"))
        .call()
        .map(|r| (r.status(), String::new(), String::new()))
        .unwrap_or_else(|e| match e {
            ureq::Error::Status(s, r) => (s, String::new(), r.into_string().unwrap()),
            e => panic!("{e}"),
        });
    assert!((400..500).contains(&status), "{status} {body}");
    let (session, _) = sign_in(&server.base, "cole", &demo_password(&data, "cole"));
    let (status, _, body) = get("/weapon-register?format=csv", &session);
    assert_eq!(status, 403, "{body}");
    // No session at all.
    let (status, _, _) = match ureq::get(&format!("{base}/weapon-register")).call() {
        Ok(r) => (r.status(), (), ()),
        Err(ureq::Error::Status(s, _)) => (s, (), ()),
        Err(e) => panic!("{e}"),
    };
    assert_eq!(status, 401);

    // The CSV the API gave verifies against the server's own log (--url, with a token).
    let (_, _, csv_body) = get("/weapon-register?format=csv", &token);
    let file = tmp.path().join("w.csv");
    std::fs::write(&file, &csv_body).unwrap();
    let key = std::fs::read_to_string(data.join("ledger.pub")).unwrap();
    let verify_url = |token: &str| {
        std::process::Command::new(super::BIN)
            .args(["verify", "--record", p(&file), "--key", key.trim(), "--url", &server.base])
            .env_remove("COLDSET_CONFIG")
            .env("COLDSET_TOKEN", token)
            .output()
            .unwrap()
    };
    let o = verify_url(&token);
    assert!(o.status.success() && text(&o).contains("record ok"), "{}", text(&o));
    std::fs::write(&file, csv_body.replace("SAA-BF-1021", "SAA-BF-1027")).unwrap();
    let o = verify_url(&token);
    assert!(!o.status.success() && text(&o).contains("'serial'"), "{}", text(&o));
    let o = verify_url("");
    assert!(!o.status.success() && text(&o).contains("COLDSET_TOKEN"), "{}", text(&o));

    // The record's page, and its verification page as the QR code opens it.
    let (admin_session, _) = sign_in(&server.base, "admin", &demo_password(&data, "admin"));
    let page = |path: &str| -> (u16, String) {
        match ureq::get(&format!("{}{path}", server.base)).set("Cookie", &admin_session).call() {
            Ok(r) => (r.status(), r.into_string().unwrap()),
            Err(ureq::Error::Status(s, r)) => (s, r.into_string().unwrap()),
            Err(e) => panic!("{path}: {e}"),
        }
    };
    let (status, html) = page("/p/dead-river/records");
    assert_eq!(status, 200);
    assert!(html.contains("Weapon register") && html.contains("format=csv"), "{html}");
    let url = json["verify_url"].as_str().unwrap();
    let path = &url[url.find("/p/").unwrap()..];
    let (status, html) = page(path);
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("This record matches the ledger"), "{html}");
    assert!(html.contains("SAA-BF-1021"));
    let tampered = format!("{}0", path.trim_end_matches(|c: char| c.is_ascii_hexdigit()));
    let (status, html) = page(&tampered);
    assert_eq!(status, 200);
    assert!(html.contains("does NOT match"), "{html}");
    let (status, _) = page("/p/dead-river/records/daily-log?from=2000-01-01&to=2026-01-01");
    assert_eq!(status, 400);
    let (status, _) = page("/p/dead-river/records/daily-log?day=2020-01-01&at=999999999");
    assert_eq!(status, 404);
    server.stop();
}

/// The daily log, the hand-off receipt and the incident pack of the "Rust" replay's day
/// (rust_replay.rs calls this once its day is closed and the server stopped).
pub(super) fn check_the_replayed_day(data: &Path, production: &str, today: &str, incident: u64) {
    let tmp = tempfile::tempdir().unwrap();
    let day = report(data, production, "daily-log", &["--day", today], &tmp.path().join("day.csv"));
    let steps = table(&day, "steps");
    let handed = steps.iter().find(|r| r["step"] == "handed off").expect("a hand-off in the day's log");
    assert_eq!(handed["serial"], "SN-1873-45");
    assert_eq!(handed["holder"], "Alec (performer)");
    assert_eq!(handed["by"], "Hannah (armorer)");
    assert!(handed["confirmed_by"].contains("Alec (performer) (PIN)"), "{handed:?}");
    let loaded = steps.iter().find(|r| r["step"] == "loaded").unwrap();
    assert_eq!((loaded["issued"].as_str(), loaded["loaded"].as_str()), ("6", "6 dummy"));
    let unloaded = steps.iter().find(|r| r["step"] == "unloaded").unwrap();
    assert_eq!((unloaded["fired"].as_str(), unloaded["returned"].as_str()), ("0", "6"));
    assert!(steps.iter().any(|r| r["step"] == "incident"), "{steps:?}");
    assert!(steps.iter().any(|r| r["step"] == "stop (hold placed)"), "{steps:?}");
    assert!(steps.iter().any(|r| r["step"] == "day closed" && r["note"].contains("VARIANCE")), "{steps:?}");
    let colt = table(&day, "firearms").into_iter().find(|r| r["serial"] == "SN-1873-45").unwrap();
    assert!(colt["holders"].contains("Alec (performer)"), "{colt:?}");
    assert_eq!((colt["issued"].as_str(), colt["fired"].as_str(), colt["returned"].as_str()), ("6", "0", "6"));

    let seq = handed["events"].clone();
    let receipt = report(data, production, "hand-off-receipt", &["--seq", &seq], &tmp.path().join("r.csv"));
    let fields: std::collections::BTreeMap<String, String> =
        table(&receipt, "hand_off").into_iter().map(|r| (r["field"].clone(), r["value"].clone())).collect();
    assert_eq!(fields["to"], "Alec (performer)");
    assert_eq!(fields["serial"], "SN-1873-45");
    assert_eq!(fields["declared_load"], "6 dummy");

    let pack =
        report(data, production, "incident-pack", &["--incident", &incident.to_string()], &tmp.path().join("i.csv"));
    let facts: std::collections::BTreeMap<String, String> =
        table(&pack, "incident").into_iter().map(|r| (r["field"].clone(), r["value"].clone())).collect();
    assert_eq!(facts["kind"], "injury (death)");
    assert!(facts["regulator_deadline"].contains("(8 hours)"), "{facts:?}");
    let evidence = table(&pack, "evidence");
    assert!(evidence.iter().any(|r| r["description"].contains("SN-1873-45")), "{evidence:?}");
    let window = table(&pack, "window");
    assert!(window.iter().any(|r| r["event"] == "firearm.handed_off"), "{window:?}");

    // The day's log verifies against an export of the production.
    let bundle = tmp.path().join("b.bundle");
    assert!(coldset(&["export", "--data", p(data), "--production", production, "--out", p(&bundle)]).status.success());
    let key = std::fs::read_to_string(data.join("ledger.pub")).unwrap();
    for f in ["day.csv", "r.csv", "i.csv"] {
        let o = coldset(&["verify", "--record", p(&tmp.path().join(f)), "--key", key.trim(), "--bundle", p(&bundle)]);
        assert!(o.status.success(), "{f}: {}", text(&o));
    }
}

/// A witness (`coldset witness-serve`) on "another machine": its process, key and address.
fn spawn_witness(state: &Path, name: &str, log_key: &str) -> (std::process::Child, String, String) {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new(super::BIN)
        .args(["witness-serve", "--state", p(state), "--name", name, "--log-key", log_key])
        .args(["--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    let (mut key, mut url) = (String::new(), String::new());
    while url.is_empty() {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "the witness did not start");
        if let Some(k) = line.trim().strip_prefix("witness key: ") {
            key = k.to_owned();
        }
        if let Some(rest) = line.trim().strip_prefix("coldset witness listening on ") {
            url = rest.split_whitespace().next().unwrap().trim_end_matches('/').to_owned();
        }
    }
    std::thread::spawn(move || for _ in reader.lines() {});
    (child, key, url)
}

/// The compliance pack lists the signed checkpoints with the witnesses' cosignatures; `verify
/// --record` checks each checkpoint's root and signature and, given the witness's key, each
/// cosignature, and fails on a tampered one; a single event's proof comes as a C2SP
/// tlog-proof carrying the cosigned checkpoint, which verifies offline and fails with one
/// hash changed.
#[test]
fn records_compliance_pack_carries_checkpoints_and_cosignatures_that_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, n) = make_demo_ledger(tmp.path());
    let log_key = std::fs::read_to_string(data.join("ledger.pub")).unwrap().trim().to_owned();
    let (mut witness, witness_key, witness_url) = spawn_witness(&tmp.path().join("w"), "witness.test/w1", &log_key);
    let config = tmp.path().join("coldset.toml");
    std::fs::write(&config, format!("[[witnesses]]\nurl = \"{witness_url}\"\nkey = \"{witness_key}\"\n")).unwrap();
    let server = start(&["serve", "--data", p(&data), "--config", p(&config)]);
    ureq::post(&format!("{}/api/v1/productions/dead-river/reports", server.base))
        .set("Content-Type", "application/json")
        .send_string(r#"{"severity":"information","text":"an event for the witness"}"#)
        .unwrap();
    let size = n + 1;
    let cosigned_at = |size: u64| {
        std::fs::read_to_string(data.join("cosignatures.jsonl"))
            .is_ok_and(|t| t.lines().any(|l| l.contains(&format!("\"size\":{size},"))))
    };
    super::wait_for("the witness's cosignature", || cosigned_at(size));
    // The last event's proof as a tlog-proof, against the cosigned checkpoint.
    let proof_url = format!(
        "{}/api/v1/productions/dead-river/proof/inclusion?seq={}&size={size}&format=tlog-proof",
        server.base,
        size - 1
    );
    let proof_text = ureq::get(&proof_url).call().unwrap().into_string().unwrap();
    assert!(proof_text.starts_with(&format!("c2sp.org/tlog-proof@v1\nindex {}\n", size - 1)), "{proof_text}");
    assert!(
        proof_text.contains("\u{2014} witness.test/w1 "),
        "the witness's cosignature travels with it: {proof_text}"
    );
    // A size never signed: 404; the JSON proof is still the default.
    let missing = ureq::get(&proof_url.replace(&format!("size={size}"), "size=1")).call();
    assert!(matches!(missing, Err(ureq::Error::Status(404, _))), "{missing:?}");
    let json = ureq::get(&proof_url.replace("&format=tlog-proof", "")).call().unwrap().into_string().unwrap();
    assert!(json.contains("\"leaf_index\""), "{json}");
    // The compliance pack over the API lists the checkpoints and the cosignature.
    let token = server.token.clone().unwrap();
    let api_pack =
        ureq::get(&format!("{}/api/v1/productions/dead-river/records/compliance-pack?format=csv", server.base))
            .set("Authorization", &format!("Bearer {token}"))
            .call()
            .unwrap()
            .into_string()
            .unwrap();
    assert!(table(&api_pack, "cosignatures").iter().any(|r| r["witness"] == "witness.test/w1"), "{api_pack}");
    // It verifies against the server, which gives its checkpoints and the cosignatures it
    // keeps (`/cosignatures`); one checkpoint row taken out, it does not, naming its size.
    let verify_url = |file: &Path| {
        std::process::Command::new(super::BIN)
            .args(["verify", "--record", p(file), "--key", &log_key, "--url", &server.base, "--witness", &witness_key])
            .env_remove("COLDSET_CONFIG")
            .env("COLDSET_TOKEN", &token)
            .output()
            .unwrap()
    };
    let api_file = tmp.path().join("api-pack.csv");
    std::fs::write(&api_file, &api_pack).unwrap();
    let o = verify_url(&api_file);
    assert!(o.status.success() && text(&o).contains("all the server holds in the pack's scope"), "{}", text(&o));
    let first_size = table(&api_pack, "checkpoints")[0]["size"].clone();
    let mut lines = rows(&api_pack);
    let at = lines.iter().position(|l| l[0] == "checkpoints").unwrap();
    lines.remove(at);
    write(&api_file, &lines);
    let o = verify_url(&api_file);
    assert!(
        !o.status.success() && text(&o).contains(&format!("the checkpoint of {first_size} events")),
        "{}",
        text(&o)
    );
    // A second event, so the cosigned checkpoint is no longer the pack's own (whose
    // cosignatures may come after the pack was made: docs/records.md).
    ureq::post(&format!("{}/api/v1/productions/dead-river/reports", server.base))
        .set("Content-Type", "application/json")
        .send_string(r#"{"severity":"information","text":"a second event for the witness"}"#)
        .unwrap();
    super::wait_for("the witness's second cosignature", || cosigned_at(size + 1));
    server.stop();
    let _ = witness.kill();
    let _ = witness.wait();

    let pack = report(&data, "dead-river", "compliance-pack", &[], &tmp.path().join("c.csv"));
    let checkpoints = table(&pack, "checkpoints");
    assert!(checkpoints.iter().any(|r| r["size"] == size.to_string()), "{checkpoints:?}");
    let cosignatures = table(&pack, "cosignatures");
    let cosigned = cosignatures.iter().find(|r| r["size"] == size.to_string()).expect("the cosigned checkpoint");
    assert_eq!(cosigned["witness"], "witness.test/w1");
    assert_eq!(cosigned["key_id"].len(), 8);
    let bundle = tmp.path().join("dead-river.bundle");
    let o = coldset(&["export", "--data", p(&data), "--production", "dead-river", "--out", p(&bundle)]);
    assert!(o.status.success(), "{}", text(&o));
    let verify = |file: &Path, witnesses: &[&str]| {
        let mut args = vec!["verify", "--record", p(file), "--key", &log_key, "--bundle", p(&bundle)];
        for w in witnesses {
            args.extend(["--witness", w]);
        }
        coldset(&args)
    };
    let o = verify(&tmp.path().join("c.csv"), &[&witness_key]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains(&format!("{} cosignatures verified", cosignatures.len())), "{}", text(&o));
    let o = verify(&tmp.path().join("c.csv"), &[]);
    assert!(
        o.status.success() && text(&o).contains("not checked, no --witness key given: witness.test/w1"),
        "{}",
        text(&o)
    );
    // The PDF of the pack verifies, pages included.
    let pdf = tmp.path().join("c.pdf");
    let o = coldset(&[
        "report",
        "compliance-pack",
        "--data",
        p(&data),
        "--production",
        "dead-river",
        "--format",
        "pdf",
        "--out",
        p(&pdf),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let o = verify(&pdf, &[&witness_key]);
    assert!(o.status.success() && text(&o).contains("pages are the record's rendering"), "{}", text(&o));

    // Tampering: a byte of the cosignature, a checkpoint's root, a checkpoint's signature.
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let original = rows(&pack);
    let header_of = |name: &str| {
        let at = original.iter().position(|l| l[0] == name).unwrap();
        (at, original[..at].iter().rev().find(|l| l[0] == "table").unwrap().clone())
    };
    let flip = |cell: &str, at: usize| {
        // A cell starting with '+' is written guarded ('+...), as a spreadsheet would
        // otherwise take it for a formula; unguarded, the verifier reads it as it is.
        let mut raw = b64.decode(cell.strip_prefix('\'').unwrap_or(cell)).unwrap();
        raw[at] ^= 1;
        b64.encode(raw)
    };
    let (co_row, co_header) = header_of("cosignatures");
    let co_sig = co_header.iter().position(|c| c == "signature").unwrap();
    let (cp_row, cp_header) = header_of("checkpoints");
    let (cp_root, cp_sig) =
        (cp_header.iter().position(|c| c == "root").unwrap(), cp_header.iter().position(|c| c == "signature").unwrap());
    let cases: Vec<(&str, Vec<Vec<String>>, &str)> = vec![
        (
            "a cosignature changed",
            {
                let mut l = original.clone();
                l[co_row][co_sig] = flip(&l[co_row][co_sig], 50);
                l
            },
            "COSIGNATURE",
        ),
        (
            "a checkpoint's root changed",
            {
                let mut l = original.clone();
                l[cp_row][cp_root] = flip(&l[cp_row][cp_root], 0);
                l
            },
            "CHECKPOINT",
        ),
        (
            "a checkpoint's signature changed",
            {
                let mut l = original.clone();
                l[cp_row][cp_sig] = flip(&l[cp_row][cp_sig], 20);
                l
            },
            "CHECKPOINT",
        ),
    ];
    // Rows taken out: a checkpoint (one no witness cosigned, signed before the witness ran)
    // and the witness's cosignature of a checkpoint before the pack's own.
    let first = table(&pack, "checkpoints")[0]["size"].clone();
    let removed_checkpoint = format!("the checkpoint of {first} events");
    let removed_cosignature =
        format!("the cosignature of witness.test/w1 for the checkpoint of {size} events was removed");
    let without = |name: &str, size: &str| {
        let column = header_of(name).1.iter().position(|c| c == "size").unwrap();
        let mut l = original.clone();
        l.remove(l.iter().position(|r| r[0] == name && r[column] == size).unwrap());
        l
    };
    let cases_removed: Vec<(&str, Vec<Vec<String>>, &str)> = vec![
        ("a checkpoint row removed", without("checkpoints", &first), &removed_checkpoint),
        ("a cosignature row removed", without("cosignatures", &size.to_string()), &removed_cosignature),
    ];
    for (name, lines, names) in cases.into_iter().chain(cases_removed) {
        let file = tmp.path().join("changed.csv");
        write(&file, &lines);
        let o = verify(&file, &[&witness_key]);
        assert!(!o.status.success(), "{name} was not detected: {}", text(&o));
        assert!(text(&o).contains(names), "{name}: expected '{names}' in: {}", text(&o));
    }

    // The tlog-proof verifies offline with the log's key and the event's bytes from the
    // bundle; one hash changed, it does not.
    let event = std::fs::read_to_string(&bundle)
        .unwrap()
        .lines()
        .skip_while(|l| !l.starts_with("events "))
        .nth(size as usize)
        .unwrap()
        .to_owned();
    let leaf = coldset_ledger::leaf_hash(event.as_bytes());
    let key = coldset_ledger::VerifierKey::parse(&log_key).unwrap();
    let proof = coldset_ledger::TlogProof::parse(&proof_text).unwrap();
    assert_eq!(proof.verify(&leaf, &key).unwrap().size, size);
    let mut changed = proof.clone();
    changed.hashes[0][0] ^= 1;
    assert!(coldset_ledger::TlogProof::parse(&changed.encode()).unwrap().verify(&leaf, &key).is_err());
}

/// An incident pack's PDF carries the photos of the reports in its window; `verify
/// --record` takes each by the hash its row lists and compares the pages, photos included:
/// a photo changed inside the PDF fails.
#[test]
fn records_incident_pack_pdf_with_a_photo_verifies_pages_and_photo() {
    use base64::Engine as _;
    let tmp = tempfile::tempdir().unwrap();
    let (data, _) = make_demo_ledger(tmp.path());
    let photo = super::pdf::png(24, 16);
    let server = start(&["serve", "--data", p(&data)]);
    let report = serde_json::json!({"severity": "concern", "text": "the cart's lock is loose",
        "photos": [{"content_type": "image/png", "data": base64::engine::general_purpose::STANDARD.encode(&photo)}]});
    ureq::post(&format!("{}/api/v1/productions/dead-river/reports", server.base))
        .set("Content-Type", "application/json")
        .send_string(&report.to_string())
        .unwrap();
    let o = coldset(&["token", "create", "--data", p(&data), "--account", "maria"]);
    assert!(o.status.success(), "{}", text(&o));
    let maria = String::from_utf8_lossy(&o.stdout).trim().to_owned();
    let answer: serde_json::Value = serde_json::from_str(
        &ureq::post(&format!("{}/api/v1/productions/dead-river/commands", server.base))
            .set("Authorization", &format!("Bearer {maria}"))
            .set("Content-Type", "application/json")
            .send_string(
                &serde_json::json!({"command": {"command": "report_incident", "kind": {"kind": "count_variance"},
                    "description": "two dummies short at wrap"}})
                .to_string(),
            )
            .unwrap()
            .into_string()
            .unwrap(),
    )
    .unwrap();
    let incident = answer["events"][0]["seq"].as_u64().unwrap().to_string();
    // Signed before the server stops (it signs a last checkpoint at a clean stop).
    server.stop();

    let pdf = tmp.path().join("i.pdf");
    let o = coldset(&[
        "report",
        "incident-pack",
        "--data",
        p(&data),
        "--production",
        "dead-river",
        "--incident",
        &incident,
        "--format",
        "pdf",
        "--out",
        p(&pdf),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let bytes = std::fs::read(&pdf).unwrap();
    assert_eq!(coldset_print::embedded_photos(&bytes).unwrap(), vec![("image/png".to_owned(), photo.clone())]);
    let key = std::fs::read_to_string(data.join("ledger.pub")).unwrap();
    let bundle = tmp.path().join("dead-river.bundle");
    assert!(coldset(&["export", "--data", p(&data), "--production", "dead-river", "--out", p(&bundle)])
        .status
        .success());
    let verify = || coldset(&["verify", "--record", p(&pdf), "--key", key.trim(), "--bundle", p(&bundle)]);
    let o = verify();
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("its pages are the record's rendering, with 1 of its 1 photos"), "{}", text(&o));
    // The photo inside the PDF changed (its attached file): it no longer hashes to its row,
    // and the pages are not the record's.
    let at = bytes.windows(photo.len()).position(|w| w == photo.as_slice()).unwrap();
    let mut changed = bytes.clone();
    changed[at + photo.len() - 20] ^= 0x01;
    std::fs::write(&pdf, &changed).unwrap();
    let o = verify();
    assert!(!o.status.success() && text(&o).contains("pages are not the record's rendering"), "{}", text(&o));
}
