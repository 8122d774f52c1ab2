//! What needs no PDF reader: same input, same bytes; the CSV back out of the PDF, and
//! refusals of PDFs that do not carry one; the font subset; photos read. The PDFs are read
//! back by poppler in the binary's tests (crates/coldset/tests/e2e/pdf.rs).

use super::*;
use coldset_app::records::{CheckpointRef, Column, Photo, Record, RecordKind, Row, Table};
use coldset_domain::ids::ProductionId;

/// A PNG of `w`×`h` RGBA pixels, written by hand (stored rows, filter 0).
pub(crate) fn png(w: u32, h: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    }
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for b in data {
            crc ^= u32::from(*b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
    let mut raw = Vec::new();
    for y in 0..h {
        raw.push(if y % 2 == 0 { 1 } else { 2 }); // Sub and Up filters with zero deltas below
        for x in 0..w {
            let px = [(x * 255 / w) as u8, (y * 255 / h) as u8, 128, 255];
            raw.extend_from_slice(&px);
        }
    }
    // Undo nothing: filters 1 and 2 need the deltas, so compute them.
    let stride = (w * 4) as usize;
    let mut filtered = raw.clone();
    for y in 0..h as usize {
        let row = y * (stride + 1);
        for i in 0..stride {
            let cur = raw[row + 1 + i];
            let pred = if y % 2 == 0 {
                if i >= 4 {
                    raw[row + 1 + i - 4]
                } else {
                    0
                }
            } else if y > 0 {
                raw[row - stride - 1 + 1 + i]
            } else {
                0
            };
            filtered[row + 1 + i] = cur.wrapping_sub(pred);
        }
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &miniz_oxide::deflate::compress_to_vec_zlib(&filtered, 6));
    chunk(&mut out, b"IEND", &[]);
    out
}

pub(crate) fn record(rows: usize) -> Record {
    let columns = vec![
        Column { name: "time".into(), label: "Time".into(), width: 2 },
        Column { name: "firearm".into(), label: "Firearm".into(), width: 4 },
        Column { name: "step".into(), label: "Step".into(), width: 3 },
        Column { name: "person".into(), label: "Person".into(), width: 4 },
        Column { name: "note".into(), label: "Note".into(), width: 5 },
    ];
    let people = ["Zoë Łukasiewicz-Ōtani", "Maria Okafor", "Dana Whitfield", "Søren Ægidius"];
    let rows = (0..rows)
        .map(|i| Row {
            cells: vec![
                format!("{:02}:{:02}", 7 + i / 60 % 12, i % 60),
                format!("fa-{} Colt Single Action Army, serial SAA-BF-{}", i % 200, 1000 + i % 200),
                ["taken out", "inspected", "handed off", "collected"][i % 4].into(),
                people[i % 4].into(),
                if i % 7 == 0 { "A long note that must wrap inside its column: the armorer checked the cylinder twice and recorded it.".into() } else { String::new() },
            ],
            events: vec![10 + i as u64 * 3, 11 + i as u64 * 3],
        })
        .collect();
    Record {
        kind: RecordKind::DailyLog,
        production: ProductionId::parse("dead-river").unwrap(),
        production_name: "Dead River".into(),
        scope: "Monday 7 December 2026".into(),
        time_zone: "Europe/London".into(),
        made_at: "2026-12-07 19:05".into(),
        params: Default::default(),
        checkpoint: CheckpointRef {
            origin: "armory.example/dead-river".into(),
            size: 15_234,
            root: "q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c=".into(),
            key: "armory+1a2b3c4d".into(),
            note: String::new(),
        },
        tables: vec![Table { name: "steps".into(), title: "Custody steps".into(), columns, rows }],
        photos: vec![Photo {
            sha256: "ab".repeat(32),
            caption: "The cylinder as found, on the cart".into(),
            media_type: "image/png".into(),
            bytes: png(64, 48),
        }],
        verify_url: "https://armory.example:8443/p/dead-river/records/daily-log/2026-12-07/verify".into(),
    }
}

#[test]
fn the_same_record_gives_the_same_bytes_and_other_paper_other_bytes() {
    let r = record(300);
    let csv = b"time,firearm\n07:00,fa-1\n";
    let a = render_pdf(&r, Paper::A4, csv).unwrap();
    let b = render_pdf(&r.clone(), Paper::A4, csv).unwrap();
    assert!(a.starts_with(b"%PDF-1.7"));
    assert_eq!(a, b, "two renderings of one record differ");
    let letter = render_pdf(&r, Paper::Letter, csv).unwrap();
    assert_ne!(a, letter);
    let mut other = r.clone();
    other.tables[0].rows[5].cells[3] = "Someone Else".into();
    assert_ne!(render_pdf(&other, Paper::A4, csv).unwrap(), a, "a changed cell must change the PDF");
    if let Some(dir) = std::env::var_os("COLDSET_PDF_SAMPLES") {
        std::fs::write(std::path::Path::new(&dir).join("sample-a4.pdf"), &a).unwrap();
        std::fs::write(std::path::Path::new(&dir).join("sample-letter.pdf"), &letter).unwrap();
    }
}

#[test]
fn the_csv_comes_back_out_and_a_pdf_without_one_is_refused() {
    let csv: Vec<u8> = (0..5000).flat_map(|i| format!("{i},Zoë Łukasiewicz-Ōtani,\"a, b\"\n").into_bytes()).collect();
    let pdf = render_pdf(&record(20), Paper::Letter, &csv).unwrap();
    assert_eq!(embedded_csv(&pdf).unwrap(), csv);
    // An empty CSV is still a CSV.
    assert_eq!(embedded_csv(&render_pdf(&record(1), Paper::A4, b"").unwrap()).unwrap(), b"");
    // Not a PDF; a PDF without the attachment (a label sheet); a damaged attachment.
    assert!(embedded_csv(b"time,firearm\n").is_err());
    let sheet = render_labels(&[], Stock::L7160, "Labels").unwrap();
    assert!(embedded_csv(&sheet).unwrap_err().contains("no CSV"));
    let file = pdf.windows(19).position(|w| w == b"/Type /EmbeddedFile").unwrap();
    let data = file + pdf[file..].windows(7).position(|w| w == b"stream\n").unwrap() + 7;
    let mut cut = pdf.clone();
    cut.truncate(data + 40);
    assert!(embedded_csv(&cut).is_err());
    let mut flipped = pdf.clone();
    flipped[data + 20] ^= 0xFF;
    assert_ne!(embedded_csv(&flipped).ok(), Some(csv.clone()), "a damaged attachment must not read as the CSV");
    // The photo shown rides along as its file, as the log's hash names it.
    let shown = record(20).photos;
    let carried = embedded_photos(&pdf).unwrap();
    assert_eq!(carried, vec![(shown[0].media_type.clone(), shown[0].bytes.clone())]);
    assert!(embedded_photos(&sheet).unwrap().is_empty());
}

#[test]
fn the_font_subset_keeps_the_glyphs_used_and_parses() {
    let f = font::font(font::Weight::Regular);
    let text = "Zoë Łukasiewicz-Ōtani – ÅÉ";
    let used: std::collections::BTreeSet<u16> = text.chars().map(|c| f.glyph(c).0).collect();
    assert!(!used.contains(&0), "DejaVu Sans has every letter of {text}");
    let sub = f.subset(&used).unwrap();
    assert!(sub.len() < 120_000, "{} bytes", sub.len());
    let face = ttf_parser::Face::parse(&sub, 0).unwrap();
    for g in &used {
        assert!(face.outline_glyph(ttf_parser::GlyphId(*g), &mut NoPen).is_some() || *g == f.glyph(' ').0, "glyph {g}");
    }
    // A glyph not asked for is empty.
    let unused = f.glyph('Ж').0;
    assert!(face.outline_glyph(ttf_parser::GlyphId(unused), &mut NoPen).is_none());
}

struct NoPen;
impl ttf_parser::OutlineBuilder for NoPen {
    fn move_to(&mut self, _: f32, _: f32) {}
    fn line_to(&mut self, _: f32, _: f32) {}
    fn quad_to(&mut self, _: f32, _: f32, _: f32, _: f32) {}
    fn curve_to(&mut self, _: f32, _: f32, _: f32, _: f32, _: f32, _: f32) {}
    fn close(&mut self) {}
}

#[test]
fn photos_are_read_and_a_broken_one_is_named_not_fatal() {
    assert!(image::Image::read(&png(5, 3), "image/png").is_ok());
    assert!(image::Image::read(b"GIF89a", "image/gif").is_err());
    let mut r = record(3);
    r.photos[0].bytes = b"\xFF\xD8\xFF\xD9".to_vec();
    assert!(render_pdf(&r, Paper::A4, b"").is_ok());
}

fn labels(n: usize) -> Vec<Label> {
    let markings = [
        Marking::RealFiring,
        Marking::BlankAdapted,
        Marking::ReplicaNonFiring,
        Marking::Rubber,
        Marking::Dummy,
        Marking::Blank,
        Marking::LiveRangeOnly,
        Marking::Quarantined,
    ];
    (0..n)
        .map(|i| Label {
            marking: markings[i % markings.len()],
            title: if i % 3 == 0 {
                "Heckler & Koch MP5A3 with a name long enough to wrap".into()
            } else {
                format!("Colt SAA {i}")
            },
            lines: vec![format!("serial SAA-BF-{}", 1000 + i), format!("fa-{i} · .45 Colt")],
            url: format!("https://armory.example:8443/p/dead-river/firearms/fa-{i}"),
        })
        .collect()
}

#[test]
fn label_sheets_fill_their_grids_page_by_page_and_are_deterministic() {
    let labels = labels(31);
    for (stock, pages) in [(Stock::Avery5160, 2), (Stock::L7160, 2), (Stock::Thermal2x1, 31)] {
        let pdf = render_labels(&labels, stock, "Labels").unwrap();
        assert_eq!(pdf, render_labels(&labels, stock, "Labels").unwrap());
        let count = pdf.windows(9).filter(|w| w == b"/MediaBox").count();
        assert_eq!(count, pages, "{stock:?}");
        if let Some(dir) = std::env::var_os("COLDSET_PDF_SAMPLES") {
            std::fs::write(std::path::Path::new(&dir).join(format!("labels-{}.pdf", stock.slug())), &pdf).unwrap();
        }
    }
    assert_eq!(Stock::Avery5160.per_page(), 30);
    assert_eq!(Stock::L7160.per_page(), 21);
    assert!(Stock::ALL.iter().all(|s| Stock::parse(s.slug()) == Some(*s)));
}

/// A rough timing in the test's own profile (the figure that counts is `coldset bench pdf`
/// in release, docs/benchmarks.md); printed, not asserted.
#[test]
#[allow(clippy::disallowed_methods)] // a duration printed, nothing recorded
fn a_long_daily_log_renders() {
    let r = record(5000);
    let t = std::time::Instant::now();
    let pdf = render_pdf(&r, Paper::A4, b"x").unwrap();
    eprintln!("5,000 rows: {} bytes in {:?}", pdf.len(), t.elapsed());
    assert!(pdf.windows(9).filter(|w| w == b"/MediaBox").count() > 100);
}

#[test]
fn a_narrow_column_keeps_its_words_whole_when_its_neighbours_have_room() {
    let doc = crate::doc::Doc::new(595.0, 842.0);
    let col = |name: &str, width: u16| Column { name: name.into(), label: name.into(), width };
    let table = Table {
        name: "firearms".into(),
        title: "Firearms".into(),
        // "Kind" gets a thirtieth of the width by its share: too narrow for its words.
        columns: vec![col("Kind", 1), col("Make and model", 29)],
        rows: vec![Row { cells: vec!["replica Winchester".into(), "Colt".into()], events: vec![123_456] }],
    };
    let width = 523.0;
    let widths = crate::record::column_widths(&doc, &table, width);
    assert!((widths.iter().sum::<f32>() - width).abs() < 0.01, "{widths:?}");
    let kind = crate::record::wrap(&doc, crate::font::Weight::Regular, 7.5, "replica Winchester", widths[0] - 5.0);
    assert_eq!(kind, vec!["replica".to_owned(), "Winchester".to_owned()], "{widths:?}");
    let events = crate::record::wrap(&doc, crate::font::Weight::Regular, 7.5, "123456", widths[2] - 5.0);
    assert_eq!(events.len(), 1);
    // Words wider than the cap are still broken, and the widths still fill the table.
    let crowded = Table { rows: vec![Row { cells: vec!["W".repeat(60), "W".repeat(60)], events: vec![1] }], ..table };
    let shares = crate::record::column_widths(&doc, &crowded, width);
    assert!((shares.iter().sum::<f32>() - width).abs() < 0.01, "{shares:?}");
}
