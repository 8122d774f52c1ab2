//! Spreadsheet import (issue #18 item 3), through the real binary over HTTP: a CSV and an
//! XLSX each checked, then recorded in one commit; every bad file refused clearly with
//! nothing recorded and the server still serving; a file with one bad row recording nothing
//! until it is fixed; exports that read back as they were imported. And the writer's batch
//! itself (`App::execute_all`): a refused last request leaves the log as it was.

use super::{demo_password, p, sign_in, start, Server};
use std::io::Write;

const PROD: &str = "dead-river";
const FIREARM_HEADER: &str =
    "kind,make,model,serial,calibre,condition,acquired_from,acquired_from_licence,acquired_from_document,location";

/// Events in the production's log.
fn log_size(server: &Server) -> u64 {
    server.get(&format!("/api/v1/productions/{PROD}"))["events"].as_u64().unwrap()
}

fn commits(server: &Server) -> u64 {
    let text = server.request("/metrics").call().unwrap().into_string().unwrap();
    text.lines().find_map(|l| l.strip_prefix("coldset_commits_total ")).unwrap().trim().parse().unwrap()
}

fn healthy(server: &Server) {
    let health = ureq::get(&format!("{}/healthz", server.base)).call().unwrap().into_string().unwrap();
    assert_eq!(health, "ok");
}

/// A page's answer: status and body, whatever the status.
fn answer(r: Result<ureq::Response, ureq::Error>) -> (u16, String) {
    match r {
        Ok(resp) => (resp.status(), resp.into_string().unwrap()),
        Err(ureq::Error::Status(code, resp)) => (code, resp.into_string().unwrap()),
        Err(e) => panic!("{e}"),
    }
}

/// Signed in as someone of the demo, with their session cookie and anti-forgery token.
struct Session<'a> {
    server: &'a Server,
    cookie: String,
    csrf: String,
}

impl<'a> Session<'a> {
    fn new(server: &'a Server, data: &std::path::Path, who: &str) -> Session<'a> {
        let (cookie, csrf) = sign_in(&server.base, who, &demo_password(data, who));
        Session { server, cookie, csrf }
    }

    /// Uploads a file for checking: the status and the preview page.
    fn upload(&self, kind: &str, name: &str, bytes: &[u8]) -> (u16, String) {
        let boundary = "coldset-test-boundary-7f3a";
        let mut body = Vec::new();
        for (field, value) in [("csrf", self.csrf.as_str()), ("kind", kind)] {
            write!(body, "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n")
                .unwrap();
        }
        write!(
            body,
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .unwrap();
        body.extend_from_slice(bytes);
        write!(body, "\r\n--{boundary}--\r\n").unwrap();
        answer(
            ureq::post(&format!("{}/p/{PROD}/import", self.server.base))
                .set("Cookie", &self.cookie)
                .set("Content-Type", &format!("multipart/form-data; boundary={boundary}"))
                .send_bytes(&body),
        )
    }

    /// Sends "Record all" for a checked file.
    fn commit(&self, token: &str) -> (u16, String) {
        answer(
            ureq::post(&format!("{}/p/{PROD}/import/commit", self.server.base))
                .set("Cookie", &self.cookie)
                .send_form(&[("csrf", &self.csrf), ("token", token)]),
        )
    }

    fn get(&self, path: &str) -> (u16, String) {
        answer(ureq::get(&format!("{}{path}", self.server.base)).set("Cookie", &self.cookie).call())
    }
}

/// The token of the "Record all" form, if the preview offers it.
fn token(page: &str) -> Option<String> {
    let at = page.find("name=\"token\" value=\"")? + "name=\"token\" value=\"".len();
    Some(page[at..].split('"').next()?.to_owned())
}

/// The preview's summary: rows ready and rows to fix.
fn summary(page: &str) -> (usize, usize) {
    let num = |attr: &str| {
        let at = page.find(attr).unwrap_or_else(|| panic!("no {attr} in {page}")) + attr.len();
        page[at..].split('"').next().unwrap().parse().unwrap()
    };
    (num("data-ready=\""), num("data-to-fix=\""))
}

fn firearm_csv(rows: &[&str]) -> Vec<u8> {
    let mut text = String::from(FIREARM_HEADER);
    for r in rows {
        text.push('\n');
        text.push_str(r);
        // No location: the firearm stays with whoever takes it in.
        text.push(',');
    }
    text.push('\n');
    text.into_bytes()
}

/// A minimal XLSX workbook: one sheet whose cells are inline strings, or formulas where a
/// cell starts with `=`.
pub(super) fn xlsx(rows: &[Vec<&str>]) -> Vec<u8> {
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, cell) in row.iter().enumerate() {
            let name = format!("{}{}", char::from(b'A' + c as u8), r + 1);
            match cell.strip_prefix('=') {
                Some(f) => sheet.push_str(&format!("<c r=\"{name}\"><f>{f}</f><v>2</v></c>")),
                None => sheet.push_str(&format!("<c r=\"{name}\" t=\"inlineStr\"><is><t>{cell}</t></is></c>")),
            }
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    xlsx_with_sheet(sheet.as_bytes())
}

fn xlsx_with_sheet(sheet: &[u8]) -> Vec<u8> {
    let parts: [(&str, &[u8]); 4] = [
        (
            "[Content_Types].xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Firearms" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ];
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(sheet.len() > u32::MAX as usize / 2);
    for (name, bytes) in parts {
        zip.start_file(name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    zip.write_all(sheet).unwrap();
    zip.finish().unwrap();
    out.into_inner()
}

fn demo() -> (tempfile::TempDir, std::path::PathBuf, Server) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let server = start(&["demo", "--data", p(&data)]);
    (dir, data, server)
}

#[test]
fn import_a_csv_and_an_xlsx_each_checked_then_recorded_in_one_commit_and_exported_back() {
    let (_dir, data, server) = demo();
    let maria = Session::new(&server, &data, "maria");
    // The import page is reached from the inventory.
    let (_, inventory) = maria.get(&format!("/p/{PROD}"));
    assert!(inventory.contains(&format!("/p/{PROD}/import")), "{inventory}");
    let (status, page) = maria.get(&format!("/p/{PROD}/import"));
    assert_eq!(status, 200);
    assert!(page.contains("type=\"file\""), "{page}");
    // The template is the header row.
    let (status, template) = maria.get(&format!("/p/{PROD}/import/firearms/template.csv"));
    assert_eq!((status, template.trim()), (200, FIREARM_HEADER));

    let before = log_size(&server);
    let csv = firearm_csv(&[
        "replica,Uberti,1873 Cattleman,IMP-CSV-1,.45 Colt,good,Stembridge Gun Rentals,RH-221,INV-9001",
        "Real firing,Colt,Single Action Army,IMP-CSV-2,.45 Colt,\"worn, serviceable\",Stembridge Gun Rentals,RH-221,INV-9001",
        // Text that a spreadsheet would take for a formula is only text in a CSV.
        "rubber_training,Rubber Gun Co,Peacemaker,IMP-CSV-3,.45 Colt,=1+1,Prop house,,DOC-1",
    ]);
    let (status, preview) = maria.upload("firearms", "guns.csv", &csv);
    assert_eq!(status, 200, "{preview}");
    assert_eq!(summary(&preview), (3, 0), "{preview}");
    assert!(preview.contains("Record all 3 rows"), "{preview}");
    assert_eq!(log_size(&server), before, "the preview recorded something");
    let commits_before = commits(&server);
    let (status, done) = maria.commit(&token(&preview).unwrap());
    assert_eq!(status, 200, "{done}");
    assert!(done.contains("Recorded") && done.contains("one commit"), "{done}");
    assert_eq!(log_size(&server), before + 3, "one event per firearm");
    assert_eq!(commits(&server) - commits_before, 1, "the rows were not recorded in one commit");
    // The same token again (a double tap) records nothing more.
    let (status, again) = maria.commit(&token(&preview).unwrap());
    assert_eq!(status, 410, "{again}");
    assert_eq!(log_size(&server), before + 3);

    // An XLSX, columns in another order and in other letter case.
    let rows = vec![
        vec!["Serial", "KIND", "make", "model", "calibre", "condition", "acquired from", "Acquired-From Document"],
        vec!["IMP-X-1", "replica", "Uberti", "1860 Army", ".44", "good", "Prop house", "DOC-2"],
        vec!["IMP-X-2", "replica", "Uberti", "1851 Navy", ".36", "fair", "Prop house", "DOC-2"],
    ];
    let (status, preview) = maria.upload("firearms", "guns.xlsx", &xlsx(&rows));
    assert_eq!(status, 200, "{preview}");
    assert_eq!(summary(&preview), (2, 0), "{preview}");
    let (status, done) = maria.commit(&token(&preview).unwrap());
    assert_eq!(status, 200, "{done}");
    assert_eq!(log_size(&server), before + 5);

    // The export has the import's columns and reads back as imported; the cell that looks
    // like a formula is guarded with a leading ' so a spreadsheet shows it as text.
    let (status, export) = maria.get(&format!("/p/{PROD}/export/firearms.csv"));
    assert_eq!(status, 200);
    assert_eq!(export.lines().next().unwrap(), FIREARM_HEADER);
    let mut reader = csv::Reader::from_reader(export.as_bytes());
    let exported: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let row = |serial: &str| exported.iter().find(|r| &r[3] == serial).unwrap_or_else(|| panic!("{serial}: {export}"));
    assert_eq!(
        row("IMP-CSV-2").iter().collect::<Vec<_>>(),
        [
            "real_firing",
            "Colt",
            "Single Action Army",
            "IMP-CSV-2",
            ".45 Colt",
            "worn, serviceable",
            "Stembridge Gun Rentals",
            "RH-221",
            "INV-9001",
            // With the armorer, in no storage location.
            ""
        ]
    );
    assert_eq!(&row("IMP-CSV-3")[5], "'=1+1");
    assert_eq!(row("IMP-X-1").iter().skip(2).take(3).collect::<Vec<_>>(), ["1860 Army", "IMP-X-1", ".44"]);
    // Imported again, the export finds every serial already in the inventory: each row is
    // refused under R-STORE-5 and nothing is recorded.
    let (status, preview) = maria.upload("firearms", "export.csv", export.as_bytes());
    assert_eq!(status, 200);
    let (ready, to_fix) = summary(&preview);
    assert_eq!((ready, to_fix), (0, exported.len()), "{preview}");
    assert!(preview.contains("R-STORE-5") && token(&preview).is_none(), "{preview}");
    assert_eq!(log_size(&server), before + 5);
}

#[test]
fn a_file_with_one_bad_row_records_nothing_until_it_is_fixed() {
    let (_dir, data, server) = demo();
    let maria = Session::new(&server, &data, "maria");
    let before = log_size(&server);
    let good = "replica,Uberti,1873,IMP-B-1,.45 Colt,good,Prop house,,DOC-1";
    let bad = "bazooka,Acme,Tube,IMP-B-2,40mm,new,Prop house,,DOC-1";
    let last = "replica,Uberti,1860,IMP-B-3,.44,good,Prop house,,DOC-1";
    let (status, preview) = maria.upload("firearms", "guns.csv", &firearm_csv(&[good, bad, last]));
    assert_eq!(status, 200, "{preview}");
    assert_eq!(summary(&preview), (2, 1), "{preview}");
    // The bad row comes first, with its line and column.
    let fix = preview.find("To fix").unwrap();
    let line3 = preview.find("data-line=\"3\"").unwrap();
    assert!(fix < line3 && line3 < preview.find("data-line=\"2\"").unwrap(), "{preview}");
    assert!(preview.contains("<code>kind</code>") && preview.contains("bazooka"), "{preview}");
    assert!(token(&preview).is_none() && !preview.contains("Record all"), "{preview}");
    assert_eq!(log_size(&server), before);
    // Fixed, the whole file passes and is recorded.
    let fixed = "replica,Acme,Tube,IMP-B-2,40mm,new,Prop house,,DOC-1";
    let (_, preview) = maria.upload("firearms", "guns.csv", &firearm_csv(&[good, fixed, last]));
    assert_eq!(summary(&preview), (3, 0), "{preview}");
    let (status, _) = maria.commit(&token(&preview).unwrap());
    assert_eq!(status, 200);
    assert_eq!(log_size(&server), before + 3);
}

#[test]
fn bad_import_files_are_refused_clearly_record_nothing_and_the_server_keeps_serving() {
    let (_dir, data, server) = demo();
    let maria = Session::new(&server, &data, "maria");
    let before = log_size(&server);
    let inventory_serial =
        server.get(&format!("/api/v1/productions/{PROD}/firearms"))["items"][0]["serial"].as_str().unwrap().to_owned();
    let ok_row = "replica,Uberti,1873,IMP-Z-1,.45 Colt,good,Prop house,,DOC-1";
    let mut latin1 = firearm_csv(&[ok_row]);
    latin1.extend_from_slice(b"replica,Ma\xefve,Fus\xe9e,IMP-Z-2,.45,good,Prop house,,DOC-1\n");
    let mut huge = firearm_csv(&[ok_row]);
    while huge.len() < 20 * 1024 * 1024 {
        huge.extend_from_slice(
            format!("replica,Uberti,1873,IMP-H-{},.45 Colt,good,Prop house,,DOC-1\n", huge.len()).as_bytes(),
        );
    }
    // 100 MB of one repeated row packs to a fraction of a megabyte.
    let mut bomb_sheet = Vec::with_capacity(100 * 1024 * 1024);
    bomb_sheet.extend_from_slice(br#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#);
    bomb_sheet.resize(100 * 1024 * 1024, b' ');
    bomb_sheet.extend_from_slice(b"</sheetData></worksheet>");
    let bomb = xlsx_with_sheet(&bomb_sheet);
    drop(bomb_sheet);
    assert!(bomb.len() < 2 * 1024 * 1024, "the bomb is {} bytes packed", bomb.len());
    let header = |h: &str| format!("{h}\n{ok_row}\n").into_bytes();
    let cases: Vec<(&str, &str, Vec<u8>, u16, &str)> = vec![
        ("not UTF-8", "guns.csv", latin1, 422, "not UTF-8 text (first bad byte on line 3)"),
        (
            "missing column",
            "guns.csv",
            header("kind,make,model,calibre,condition,acquired_from,acquired_from_licence,acquired_from_document"),
            422,
            "missing column: serial",
        ),
        (
            "wrong column",
            "guns.csv",
            header(&FIREARM_HEADER.replace("serial", "serail")),
            422,
            "unknown column: serail",
        ),
        ("20 MB", "guns.csv", huge, 413, "the most an import takes is 10 MB"),
        (
            "formula",
            "guns.xlsx",
            xlsx(&[
                vec![
                    "kind",
                    "make",
                    "model",
                    "serial",
                    "calibre",
                    "condition",
                    "acquired_from",
                    "acquired_from_document",
                ],
                vec!["replica", "Uberti", "1873", "=CONCAT(\"IMP\",\"-F\")", ".45", "good", "Prop house", "DOC-3"],
            ]),
            422,
            "cell D2 (row 2) holds a formula",
        ),
        ("zip bomb", "guns.xlsx", bomb, 422, "refused as a zip bomb"),
        ("not a spreadsheet", "guns.xlsx", b"PK\x03\x04 this is no zip".to_vec(), 422, "cannot be opened"),
    ];
    for (what, name, bytes, status, message) in cases {
        let (got, page) = maria.upload("firearms", name, &bytes);
        assert_eq!(got, status, "{what}: {page}");
        assert!(page.contains(message), "{what}: expected '{message}' in {page}");
        assert!(page.contains("Nothing was recorded"), "{what}: {page}");
        assert!(token(&page).is_none(), "{what}");
        assert_eq!(log_size(&server), before, "{what} recorded something");
        healthy(&server);
    }
    // Rows that break a rule: the same serial twice in the file, and one already in the
    // inventory. Listed with the line and the rule or the column; nothing recorded.
    let dup = firearm_csv(&[
        ok_row,
        "replica,Uberti,1860,imp-z-1,.44,good,Prop house,,DOC-1",
        &format!("replica,Uberti,1860,{inventory_serial},.44,good,Prop house,,DOC-1"),
    ]);
    let (status, preview) = maria.upload("firearms", "guns.csv", &dup);
    assert_eq!(status, 200, "{preview}");
    assert_eq!(summary(&preview), (1, 2), "{preview}");
    assert!(preview.contains("is also on line 2"), "{preview}");
    assert!(
        preview.contains("R-STORE-5") && preview.contains(&format!("serial {inventory_serial} is already registered")),
        "{preview}"
    );
    assert!(token(&preview).is_none());
    assert_eq!(log_size(&server), before);
    // Only the armorer's team takes firearms in: the 1st AD's upload is refused at once.
    let dana = Session::new(&server, &data, "dana");
    let (status, page) = dana.upload("firearms", "guns.csv", &firearm_csv(&[ok_row]));
    assert_eq!(status, 403, "{page}");
    assert!(page.contains("R-STORE-5"), "{page}");
    // A form without the session's anti-forgery token is refused.
    let forged = Session { server: &server, cookie: maria.cookie.clone(), csrf: "forged".into() };
    let (status, _) = forged.upload("firearms", "guns.csv", &firearm_csv(&[ok_row]));
    assert_eq!(status, 403);
    assert_eq!(log_size(&server), before);
    healthy(&server);
}

#[test]
fn the_crew_list_imports_people_roles_credentials_and_training_and_exports_back() {
    let (_dir, data, server) = demo();
    let hal = Session::new(&server, &data, "hal");
    let before = log_size(&server);
    let crew = "name,roles,credential_kind,credential_number,credential_issuer,credential_expires,credential_covers,training_number,training_issuer,training_expires\n\
        Nora Quist,performer,certification,SAG-FS-77,Contract Services,2030-01-31,blank_adapted,SC-1,Safety school,2030-01-31\n\
        Pat Ruiz,crew;performer,,,,,,SC-2,Safety school,2029-06-30\n\
        Nora Quist,,licence,NQ-9,State,2031-01-01,real_firing;blank_adapted,,,\n";
    let (status, preview) = hal.upload("crew", "crew.csv", crew.as_bytes());
    assert_eq!(status, 200, "{preview}");
    assert_eq!(summary(&preview), (3, 0), "{preview}");
    let (status, done) = hal.commit(&token(&preview).unwrap());
    assert_eq!(status, 200, "{done}");
    // Two people added, with two credentials and one course for Nora, one course for Pat.
    assert_eq!(log_size(&server), before + 2 + 3 + 1);
    let (_, export) = hal.get(&format!("/p/{PROD}/export/crew.csv"));
    assert!(export.contains("Nora Quist,performer,certification,SAG-FS-77,Contract Services,2030-01-31,blank_adapted,SC-1,Safety school,2030-01-31"), "{export}");
    assert!(export.contains("Nora Quist,,licence,NQ-9,State,2031-01-01,real_firing;blank_adapted,,,"), "{export}");
    // The export imported again records nothing new.
    let (_, preview) = hal.upload("crew", "crew.csv", export.as_bytes());
    let (ready, to_fix) = summary(&preview);
    assert_eq!(to_fix, 0, "{preview}");
    assert!(ready > 3);
    let (status, _) = hal.commit(&token(&preview).unwrap());
    assert_eq!(status, 200);
    assert_eq!(log_size(&server), before + 6, "an export imported again recorded something");
}

/// `App::execute_all` on a real store: a batch whose last request is refused records
/// nothing (and the writer's state is put back: the same requests without it then pass);
/// a batch prepared against an older log is refused as a whole.
#[test]
fn a_batch_refused_at_its_last_request_leaves_the_log_as_it_was() {
    use coldset_app::{App, ManualClock, Request};
    use coldset_domain::ids::{PersonId, ProductionId};
    use coldset_domain::model::{Credential, CredentialKind, FirearmKind, Party, Role};
    use coldset_domain::{Actor, Command, Timestamp};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(coldset_store_sqlite::SqliteStore::create(&dir.path().join("d")).unwrap());
    let app = App::open(store, Arc::new(ManualClock::new(Timestamp(1_790_000_000_000)))).unwrap();
    let production = ProductionId::parse("batch").unwrap();
    let admin = Actor::Admin { account: "admin".into() };
    let run = |actor: &Actor, command: Command| {
        app.execute(Request::new(production.clone(), actor.clone(), command)).unwrap()
    };
    run(
        &admin,
        Command::CreateProduction {
            id: production.clone(),
            name: "Batch".into(),
            time_zone: "UTC".into(),
            packs: vec!["industry-us".into()],
            compliance_contact: "someone".into(),
        },
    );
    run(&admin, Command::AddPerson { name: "Armorer".into(), roles: [Role::Armorer].into() });
    let armorer = PersonId::parse("p-1").unwrap();
    run(
        &admin,
        Command::RecordCredential {
            person: armorer.clone(),
            credential: Credential {
                kind: CredentialKind::Licence,
                number: "L-1".into(),
                issuer: "ATF".into(),
                expires_on: coldset_domain::time::parse_date("2099-01-01").unwrap(),
                covers: vec![FirearmKind::RealFiring],
            },
        },
    );
    let maria = Actor::Person { person: armorer };
    let intake = |serial: &str| {
        Request::new(
            production.clone(),
            maria.clone(),
            Command::IntakeFirearm {
                kind: FirearmKind::Replica,
                make: "Uberti".into(),
                model: "1873".into(),
                serial: serial.into(),
                calibre: ".45 Colt".into(),
                condition: "good".into(),
                acquired_from: Party { name: "Prop house".into(), licence: String::new(), document: "DOC-1".into() },
            },
        )
    };
    let size = app.head(&production).unwrap().0;
    // The last request repeats the first's serial: refused (R-STORE-5), nothing recorded.
    let refused = app.execute_all_blocking(vec![intake("B-1"), intake("B-2"), intake("b-1")], Some(size)).unwrap_err();
    assert_eq!(refused.index, Some(2));
    assert_eq!(refused.error.rule_ids().iter().map(|r| r.to_string()).collect::<Vec<_>>(), ["R-STORE-5"]);
    assert_eq!(app.head(&production).unwrap().0, size);
    assert!(app.state(&production).unwrap().firearms.is_empty());
    // The writer's working state was put back: the first two now pass, in one batch.
    let receipts = app.execute_all_blocking(vec![intake("B-1"), intake("B-2")], Some(size)).unwrap();
    assert_eq!(receipts.len(), 2);
    assert_eq!(app.head(&production).unwrap().0, size + 2);
    // Prepared against the log as it was before: refused as a conflict, nothing recorded.
    let stale = app.execute_all_blocking(vec![intake("B-3")], Some(size)).unwrap_err();
    assert_eq!((stale.index, stale.error.code()), (None, "command.conflict"));
    assert_eq!(app.head(&production).unwrap().0, size + 2);
    // And the store holds exactly what the writer says: reopened, the log verifies.
    drop(app);
}

#[test]
fn ammunition_lots_and_scenes_import_and_export_in_the_same_columns() {
    let (_dir, data, server) = demo();
    let maria = Session::new(&server, &data, "maria");
    let before = log_size(&server);
    let lots = "class,load,calibre,rounds,supplier,document,headstamp,previous_production,mixed_source,home_made,container_label\n\
        dummy,,.45 Colt,50,Southwest Prop Ammunition Co.,DEL-71,SPA 45,,no,no,IMP-D-1\n\
        Blank,half,.44-40,100,Southwest Prop Ammunition Co.,DEL-72,SPA 44,,,,IMP-B-1\n\
        dummy,,.45 Colt,20,Backyard,none,none,,no,yes,IMP-D-2\n";
    let (status, preview) = maria.upload("lots", "lots.csv", lots.as_bytes());
    assert_eq!(status, 200, "{preview}");
    // Home-made dummies are refused (R-AMMO-3): nothing of the file is recorded.
    assert_eq!(summary(&preview), (2, 1), "{preview}");
    assert!(preview.contains("R-AMMO-3") && token(&preview).is_none(), "{preview}");
    let good: String = lots.lines().take(3).map(|l| format!("{l}\n")).collect();
    let (_, preview) = maria.upload("lots", "lots.csv", good.as_bytes());
    assert_eq!(summary(&preview), (2, 0), "{preview}");
    let (status, done) = maria.commit(&token(&preview).unwrap());
    assert_eq!(status, 200, "{done}");
    let after_lots = log_size(&server);
    assert!(after_lots > before, "nothing recorded");
    let (_, export) = maria.get(&format!("/p/{PROD}/export/lots.csv"));
    assert!(export.starts_with("class,load,calibre,rounds,supplier,document,headstamp,previous_production,mixed_source,home_made,container_label"), "{export}");
    assert!(
        export.contains("dummy,,.45 Colt,50,Southwest Prop Ammunition Co.,DEL-71,SPA 45,,no,no,IMP-D-1"),
        "{export}"
    );
    assert!(
        export.contains("blank,half,.44-40,100,Southwest Prop Ammunition Co.,DEL-72,SPA 44,,no,no,IMP-B-1"),
        "{export}"
    );

    let header = "number,description,day,kind,risk_assessment,firearms,performers,loads,call_list,real_firearm_reason";
    // The call list is exported in the order of the people's ids, as written here.
    // A week from now: the demo's safety courses are in date then (R-TRAIN-1 is judged on
    // the scene's day).
    let day = jiff::Zoned::now().date().checked_add(jiff::Span::new().days(7)).unwrap();
    let scene = format!("14,Saloon draw,{day},take,Dummies verified round by round; nobody downrange,SAA-BF-1021;DX-1106,Cole Brannigan;Ada Lane,dummies;empty,Dana Wells;Cole Brannigan;Ada Lane,");
    let unknown = "15,Barn,2030-05-02,take,Risk written,NO-SUCH-1,Cole Brannigan,empty,,";
    let (status, preview) = maria.upload("scenes", "scenes.csv", format!("{header}\n{scene}\n{unknown}\n").as_bytes());
    assert_eq!(status, 200, "{preview}");
    assert_eq!(summary(&preview), (1, 1), "{preview}");
    assert!(
        preview.contains("<code>firearms</code>") && preview.contains("no firearm with serial NO-SUCH-1"),
        "{preview}"
    );
    let (_, preview) = maria.upload("scenes", "scenes.csv", format!("{header}\n{scene}\n").as_bytes());
    assert_eq!(summary(&preview), (1, 0), "{preview}");
    let (status, done) = maria.commit(&token(&preview).unwrap());
    assert_eq!(status, 200, "{done}");
    assert!(log_size(&server) > after_lots);
    let (_, export) = maria.get(&format!("/p/{PROD}/export/scenes.csv"));
    assert!(export.starts_with(header), "{export}");
    assert!(export.contains(&scene), "{export}");
}
