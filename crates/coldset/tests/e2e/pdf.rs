//! The PDFs coldset makes, read back by other programs: poppler's pdftotext, pdftoppm,
//! pdfinfo, pdfimages and pdfdetach (Debian's poppler-utils), and the zxing-cpp QR decoder
//! (PyPI), all installed by scripts/test.sh. A record's PDF (coldset-print `render_pdf`,
//! for a record built here by hand) and the label sheets of `/p/{p}/labels.pdf`.

use super::*;
use coldset_app::records::{CheckpointRef, Column, Photo, Record, RecordKind, Row, Table};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read as _;

pub(super) fn tool(name: &str, args: &[&str]) -> Output {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name}: {e} (./scripts/test.sh installs poppler-utils and zxing-cpp)"));
    assert!(out.status.success(), "{name} {args:?}: {}", text(&out));
    out
}

/// The text of one page (pdftotext, in reading order), or of the part of it within
/// (x, y, w, h) pixels at `dpi`.
pub(super) fn page_text(pdf: &Path, page: usize, crop: Option<(f32, f32, f32, f32, u32)>) -> String {
    let page = page.to_string();
    let mut args = vec!["-f".to_owned(), page.clone(), "-l".into(), page];
    if let Some((x, y, w, h, dpi)) = crop {
        for (flag, v) in [("-r", dpi as f32), ("-x", x), ("-y", y), ("-W", w), ("-H", h)] {
            args.push(flag.into());
            args.push(format!("{}", v.round() as i64));
        }
    }
    args.push(p(pdf).into());
    args.push("-".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    String::from_utf8(tool("pdftotext", &args).stdout).unwrap()
}

fn pages(pdf: &Path) -> usize {
    let info = String::from_utf8(tool("pdfinfo", &[p(pdf)]).stdout).unwrap();
    let line = info.lines().find(|l| l.starts_with("Pages:")).unwrap();
    line.split_whitespace().last().unwrap().parse().unwrap()
}

/// Every QR code on a page rendered at `dpi`: its text and its centre in pixels.
fn qr_codes(pdf: &Path, page: usize, dpi: u32) -> Vec<(String, f32, f32)> {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("page");
    let (pg, r) = (page.to_string(), dpi.to_string());
    tool("pdftoppm", &["-gray", "-r", &r, "-f", &pg, "-l", &pg, "-singlefile", p(pdf), p(&prefix)]);
    let script = r#"
import json, sys, zxingcpp
data = open(sys.argv[1], 'rb').read()
fields, at = [], 0
while len(fields) < 4:
    while data[at:at+1].isspace(): at += 1
    if data[at:at+1] == b'#':
        at = data.index(b'\n', at)
        continue
    end = at
    while not data[end:end+1].isspace(): end += 1
    fields.append(data[at:end]); at = end
at += 1
w, h = int(fields[1]), int(fields[2])
view = memoryview(data[at:at + w * h]).cast('B', (h, w))
for b in zxingcpp.read_barcodes(view, formats=zxingcpp.BarcodeFormat.QRCode):
    p = b.position
    xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
    ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
    print(json.dumps({"text": b.text, "x": sum(xs) / 4, "y": sum(ys) / 4}))
"#;
    let out = tool("python3", &["-c", script, p(&dir.path().join("page.pgm"))]);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["text"].as_str().unwrap().to_owned(), v["x"].as_f64().unwrap() as f32, v["y"].as_f64().unwrap() as f32)
        })
        .collect()
}

/// target/screenshots, where the browser tests leave theirs.
pub(super) fn screenshots() -> PathBuf {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"))
        .join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A PNG photo of `w`×`h` RGB pixels, written by hand.
pub(super) fn png(w: u32, h: u32) -> Vec<u8> {
    use std::io::Write as _;
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc.sum().to_be_bytes());
    }
    let mut raw = Vec::new();
    for y in 0..h {
        raw.push(0);
        for x in 0..w {
            raw.extend_from_slice(&[(x * 255 / w) as u8, 90, (y * 255 / h) as u8]);
        }
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw).unwrap();
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z.finish().unwrap());
    chunk(&mut out, b"IEND", &[]);
    out
}

const ZOE: &str = "Zoë Łukasiewicz-Ōtani";

/// An incident pack by hand: a long table of custody steps (one serial a row), a short
/// one, and a photo.
fn record(rows: usize) -> (Record, Vec<u8>) {
    let columns = [
        ("time", "Time", 2),
        ("firearm", "Firearm", 5),
        ("serial", "Serial", 3),
        ("step", "Step", 3),
        ("who", "Who", 4),
        ("note", "Note", 6),
    ]
    .map(|(name, label, width)| Column { name: name.into(), label: label.into(), width });
    let people = [ZOE, "Maria Okafor", "Dana Whitfield"];
    let steps: Vec<Row> = (0..rows)
        .map(|i| Row {
            cells: vec![
                format!("{:02}:{:02}", 6 + i / 60, i % 60),
                "Colt Single Action Army, 7½-inch barrel, nickel".into(),
                format!("SAA-{}", 10_000 + i),
                ["taken out", "inspected", "handed off", "collected"][i % 4].into(),
                people[i % 3].into(),
                if i % 9 == 0 {
                    format!("{ZOE} acknowledged the demonstration in person on the armorer's phone; rules R-HAND-1, R-HAND-2, R-TRAIN-2 checked")
                } else {
                    String::new()
                },
            ],
            events: vec![100 + 2 * i as u64, 101 + 2 * i as u64],
        })
        .collect();
    let evidence = Table {
        name: "evidence".into(),
        title: "Frozen evidence".into(),
        columns: vec![
            Column { name: "item".into(), label: "Item".into(), width: 3 },
            Column { name: "state".into(), label: "State".into(), width: 5 },
        ],
        rows: vec![Row { cells: vec!["fa-1".into(), "frozen at event 2400".into()], events: vec![2400] }],
    };
    let photo = png(120, 80);
    let record = Record {
        kind: RecordKind::IncidentPack,
        production: coldset_domain::ids::ProductionId::parse("dead-river").unwrap(),
        production_name: "Dead River — Łódź unit".into(),
        scope: "Incident 3: misfire on stage 4".into(),
        time_zone: "Europe/Warsaw".into(),
        made_at: "2026-12-07 19:05".into(),
        params: Default::default(),
        checkpoint: CheckpointRef {
            origin: "armory.example/dead-river".into(),
            size: 2401,
            root: "KxJ0bW9yZS10aGFuLWEtaGFzaC1zdGFuZC1pbi0zMmI=".into(),
            key: "armory+5e1f09ab".into(),
            note: String::new(),
        },
        tables: vec![
            Table { name: "steps".into(), title: "Custody steps".into(), columns: columns.to_vec(), rows: steps },
            evidence,
        ],
        photos: vec![Photo {
            sha256: "9f".repeat(32),
            caption: "The cylinder as found on the cart".into(),
            media_type: "image/png".into(),
            bytes: photo,
        }],
        verify_url: "https://armory.example:8443/p/dead-river/records/incident-pack/3".into(),
    };
    let csv = coldset_app::records::to_csv(&record);
    (record, csv)
}

/// A record's PDF: the names (Unicode ones too), every row's serial, the headings again on
/// every page of a long table, the checkpoint line, "page N of M", on every page a QR code
/// that opens the record's verification, the photo with its hash, and the CSV inside,
/// which pdfdetach and `embedded_csv` both take out unchanged. Same record, same bytes.
#[test]
fn a_record_pdf_reads_back_with_its_names_headings_codes_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let (mut record, csv) = record(400);
    // A JPEG photo too, made by poppler from a small PDF of our own (a thermal label).
    let label = coldset_print::Label {
        marking: coldset_print::Marking::Quarantined,
        title: "QUAR-45-B".into(),
        lines: vec!["dummy .45 Colt".into()],
        url: "https://armory.example:8443/p/dead-river/containers/ct-4".into(),
    };
    let sheet = dir.path().join("label.pdf");
    std::fs::write(&sheet, coldset_print::render_labels(&[label], coldset_print::Stock::Thermal2x1, "Label").unwrap())
        .unwrap();
    let jpeg = dir.path().join("label");
    tool("pdftoppm", &["-jpeg", "-r", "100", "-singlefile", p(&sheet), p(&jpeg)]);
    let jpeg = std::fs::read(dir.path().join("label.jpg")).unwrap();
    assert!(jpeg.starts_with(&[0xFF, 0xD8]));
    record.photos.push(Photo {
        sha256: "7e".repeat(32),
        caption: "The container's label, photographed".into(),
        media_type: "image/jpeg".into(),
        bytes: jpeg,
    });
    for paper in [coldset_print::Paper::A4, coldset_print::Paper::Letter] {
        let bytes = coldset_print::render_pdf(&record, paper, &csv).unwrap();
        assert_eq!(bytes, coldset_print::render_pdf(&record.clone(), paper, &csv).unwrap(), "not deterministic");
        let pdf = dir.path().join(format!("incident-{}.pdf", paper.slug()));
        std::fs::write(&pdf, &bytes).unwrap();

        let info = String::from_utf8(tool("pdfinfo", &[p(&pdf)]).stdout).unwrap();
        let size = match paper {
            coldset_print::Paper::A4 => "595.276 x 841.89 pts (A4)",
            coldset_print::Paper::Letter => "612 x 792 pts (letter)",
        };
        assert!(info.contains(size), "{info}");
        let n = pages(&pdf);
        assert!(n >= 4, "400 rows should take several pages, not {n}");

        let first = page_text(&pdf, 1, None);
        for expected in [
            "Incident pack",
            "Dead River — Łódź unit",
            "Incident 3: misfire on stage 4",
            "Checkpoint: log size 2401, root hash KxJ0bW9yZS10aGFuLWEtaGFzaC1zdGFuZC1pbi0zMmI=, key armory+5e1f09ab",
            "Times are in Europe/Warsaw. Made at 2026-12-07 19:05.",
            ZOE,
            &format!("page 1 of {n}"),
        ] {
            assert!(first.contains(expected), "page 1 lacks {expected:?}:\n{first}");
        }
        let mut all = first.clone();
        for page in 2..=n {
            let t = page_text(&pdf, page, None);
            assert!(t.contains(&format!("page {page} of {n}")), "page {page}:\n{t}");
            assert!(t.contains("Checkpoint: log size 2401"), "page {page} lacks the checkpoint:\n{t}");
            // The long table runs to the second-to-last page at least: its headings again.
            if page < n - 1 {
                for heading in
                    ["Custody steps (continued)", "Time", "Firearm", "Serial", "Step", "Who", "Note", "Events"]
                {
                    assert!(t.contains(heading), "page {page} lacks the heading {heading:?}:\n{t}");
                }
            }
            all.push_str(&t);
        }
        // Every row, once: no row lost or doubled between pages; the long note wrapped whole.
        for i in 0..400 {
            assert_eq!(all.matches(&format!("SAA-{}", 10_000 + i)).count(), 1, "row {i}");
        }
        let words: String = all.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(words.contains("acknowledged the demonstration in person on the armorer's phone"), "{words}");
        assert!(words.contains("Frozen evidence") && words.contains("frozen at event 2400"));
        assert!(
            words.contains("The cylinder as found on the cart")
                && words.contains(&format!("SHA-256 {}", "9f".repeat(32)))
        );
        let images = String::from_utf8(tool("pdfimages", &["-list", p(&pdf)]).stdout).unwrap();
        assert!(images.lines().any(|l| l.contains(" 120 ") && l.contains(" 80 ") && l.contains("rgb")), "{images}");
        // The JPEG as it was (2 × 1 inch at 100 dpi), not decoded and packed again.
        assert!(images.lines().any(|l| l.contains(" 200 ") && l.contains(" 100 ") && l.contains("jpeg")), "{images}");
        assert!(words.contains("The container's label, photographed") && words.contains(&"7e".repeat(32)));

        // On every page, a QR code that opens the record's verification (and on the photos'
        // page, the code in the photographed label, which decodes too).
        for page in 1..=n {
            let codes = qr_codes(&pdf, page, 150);
            let verify = codes.iter().filter(|c| c.0 == record.verify_url).count();
            assert_eq!(verify, 1, "page {page}: {codes:?}");
            assert!(
                codes.iter().all(|c| c.0 == record.verify_url || c.0.ends_with("/containers/ct-4")),
                "page {page}: {codes:?}"
            );
        }

        // The CSV inside, as any PDF reader sees it and as `coldset verify --record` reads it.
        let list = String::from_utf8(tool("pdfdetach", &["-list", p(&pdf)]).stdout).unwrap();
        // The CSV, then each photo shown, as the file the log's hash names.
        let files = 1 + record.photos.len();
        assert!(list.contains(&format!("{files} embedded files")) && list.contains("incident-pack.csv"), "{list}");
        assert!(list.contains("photo-7e7e7e7e7e7e7e7e.jpg"), "{list}");
        let carried = coldset_print::embedded_photos(&bytes).unwrap();
        assert!(carried.iter().any(|(t, b)| t == "image/jpeg" && *b == record.photos.last().unwrap().bytes));
        let saved = dir.path().join("saved.csv");
        tool("pdfdetach", &["-save", "1", "-o", p(&saved), p(&pdf)]);
        assert_eq!(std::fs::read(&saved).unwrap(), csv);
        assert_eq!(coldset_print::embedded_csv(&bytes).unwrap(), csv);

        let png = screenshots().join(format!("record-incident-pack-{}", paper.slug()));
        tool("pdftoppm", &["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", p(&pdf), p(&png)]);
    }
}

/// Where the labels sit on a stock, in points from the page's top left, as the stock's
/// maker publishes it: the first label's corner, the pitch across and down, a label's
/// size, columns and rows.
struct Grid {
    origin: (f32, f32),
    pitch: (f32, f32),
    label: (f32, f32),
    columns: usize,
    rows: usize,
}

fn geometry(stock: &str) -> Grid {
    let mm = 72.0 / 25.4;
    match stock {
        "avery-5160" => Grid { origin: (13.5, 36.0), pitch: (198.0, 72.0), label: (189.0, 72.0), columns: 3, rows: 10 },
        "l7160" => Grid {
            origin: (7.21 * mm, 15.15 * mm),
            pitch: (66.04 * mm, 38.1 * mm),
            label: (63.5 * mm, 38.1 * mm),
            columns: 3,
            rows: 7,
        },
        _ => Grid { origin: (0.0, 0.0), pitch: (144.0, 72.0), label: (144.0, 72.0), columns: 1, rows: 1 },
    }
}

const MARKINGS: [&str; 8] = [
    "REAL FIRING",
    "BLANK-ADAPTED",
    "REPLICA – NON-FIRING",
    "RUBBER",
    "DUMMY",
    "BLANK",
    "LIVE – RANGE ONLY",
    "QUARANTINED",
];

/// The markings a label's text shows (a marking inside a longer one, BLANK in
/// BLANK-ADAPTED, not counted).
fn markings_in(text: &str) -> Vec<&'static str> {
    let found: Vec<&str> = MARKINGS.into_iter().filter(|m| text.contains(m)).collect();
    found.iter().copied().filter(|m| !found.iter().any(|o| o != m && o.contains(m))).collect()
}

/// The label sheets as PDF: refused (with the fix) while the codes would open an address
/// only this computer reaches; with a public URL, on each stock every label's QR code
/// decodes to its own item's page on that URL, and the label around it carries the marking
/// of that item's kind or state and its serial or name.
#[test]
fn label_sheets_scan_to_their_items_and_carry_their_markings() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let server = start(&["demo", "--data", p(&data)]);
    let (session, _) = sign_in(&server.base, "maria", &demo_password(&data, "maria"));
    let status = |path: &str| match ureq::get(&format!("{}{path}", server.base)).set("Cookie", &session).call() {
        Ok(r) => (r.status(), r.into_string().unwrap()),
        Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap()),
        Err(e) => panic!("{path}: {e}"),
    };
    let (code, refused) = status("/p/dead-river/labels.pdf?stock=l7160");
    assert_eq!(code, 409, "a sheet for 127.0.0.1 must be refused: {refused}");
    assert!(refused.contains("only this computer can reach") && refused.contains("public_url"), "{refused}");
    let (code, unknown) = status("/p/dead-river/labels.pdf?stock=a5");
    assert!(code == 400 && unknown.contains("avery-5160"), "an unknown stock: {code} {unknown}");
    server.stop();

    let public = "https://armory.test:8443";
    let server = start(&["demo", "--data", p(&data), "--public-url", public]);
    let (session, _) = sign_in(&server.base, "maria", &demo_password(&data, "maria"));
    let get = |path: &str| ureq::get(&format!("{}{path}", server.base)).set("Cookie", &session).call().unwrap();
    let page = get("/p/dead-river/labels").into_string().unwrap();
    assert!(page.contains("/p/dead-river/labels.pdf?stock=avery-5160") && page.contains("thermal-2x1"), "{page}");

    // What each item's label must say, from the API.
    let items = |what: &str| {
        server.get(&format!("/api/v1/productions/dead-river/{what}?limit=500"))["items"].as_array().unwrap().clone()
    };
    let lot_verified: BTreeMap<String, bool> = items("lots")
        .iter()
        .map(|l| (l["id"].as_str().unwrap().to_owned(), l["state"]["state"] == "verified"))
        .collect();
    let mut expected: BTreeMap<String, (&str, String)> = BTreeMap::new();
    for f in items("firearms") {
        let marking = match f["kind"].as_str().unwrap() {
            "real_firing" => "REAL FIRING",
            "blank_adapted" => "BLANK-ADAPTED",
            "replica" => "REPLICA – NON-FIRING",
            "rubber_training" => "RUBBER",
            other => panic!("kind {other}"),
        };
        let url = format!("{public}/p/dead-river/firearms/{}", f["id"].as_str().unwrap());
        expected.insert(url, (marking, f["serial"].as_str().unwrap().to_owned()));
    }
    for c in items("containers") {
        let quarantined = c["contents"].as_object().unwrap().keys().any(|lot| !lot_verified[lot]);
        let marking = match (quarantined, c["class"]["class"].as_str().unwrap()) {
            (true, _) => "QUARANTINED",
            (_, "dummy") => "DUMMY",
            (_, "blank") => "BLANK",
            (_, "live") => "LIVE – RANGE ONLY",
            (_, other) => panic!("class {other}"),
        };
        let url = format!("{public}/p/dead-river/containers/{}", c["id"].as_str().unwrap());
        expected.insert(url, (marking, c["label"].as_str().unwrap().to_owned()));
    }
    assert_eq!(expected.len(), 10, "the demo's six firearms and four containers");
    let kinds: BTreeSet<&str> = expected.values().map(|(m, _)| *m).collect();
    assert!(kinds.contains("QUARANTINED") && kinds.len() >= 4, "the demo should show several markings: {kinds:?}");

    let dpi = 300u32;
    let px = dpi as f32 / 72.0;
    for stock in ["avery-5160", "l7160", "thermal-2x1"] {
        let resp = get(&format!("/p/dead-river/labels.pdf?stock={stock}"));
        assert_eq!(resp.content_type(), "application/pdf");
        let mut bytes = Vec::new();
        resp.into_reader().read_to_end(&mut bytes).unwrap();
        let pdf = tmp.path().join(format!("labels-{stock}.pdf"));
        std::fs::write(&pdf, &bytes).unwrap();
        let Grid { origin: (ox, oy), pitch: (pitch_x, pitch_y), label: (w, h), columns, rows } = geometry(stock);
        let n = pages(&pdf);
        assert_eq!(n, 10usize.div_ceil(columns * rows), "{stock}");
        let mut seen = BTreeSet::new();
        for page in 1..=n {
            let codes = qr_codes(&pdf, page, dpi);
            for (url, cx, cy) in codes {
                let (marking, name) = expected.get(&url).unwrap_or_else(|| panic!("{stock}: a code of {url}"));
                assert!(seen.insert(url.clone()), "{stock}: two labels of {url}");
                // The label the code sits on, and the text on that label.
                let col = ((cx / px - ox) / pitch_x).floor() as usize;
                let row = ((cy / px - oy) / pitch_y).floor() as usize;
                assert!(col < columns && row < rows, "{stock}: a code outside the grid at {cx},{cy}");
                let (x, y) = (ox + col as f32 * pitch_x, oy + row as f32 * pitch_y);
                let t = page_text(&pdf, page, Some((x * px, y * px, w * px, h * px, dpi)));
                let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
                assert_eq!(markings_in(&t), vec![*marking], "{stock}: the label of {url} says {t:?}");
                assert!(t.contains(name.as_str()), "{stock}: the label of {url} lacks {name}: {t:?}");
            }
        }
        assert_eq!(seen.len(), expected.len(), "{stock}: every item once");
        let png = screenshots().join(format!("labels-{stock}"));
        tool("pdftoppm", &["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", p(&pdf), p(&png)]);
    }
}
