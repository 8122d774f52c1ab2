//! Sheets of QR labels for common label stocks: each label carries its item's safety
//! marking in words on a coloured band, its name and serial, and a QR code of its page.
//! Which items and which marking is the web crate's business (pages/labels.rs); this only
//! lays them out on the stock.

use crate::doc::{Doc, Rgb, BLACK, WHITE};
use crate::font::Weight::{Bold, Regular};
use crate::record::wrap;
use crate::Error;

/// Label stocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stock {
    /// Avery 5160 and compatibles: US Letter, 30 labels of 2⅝ × 1 inch, 3 × 10.
    Avery5160,
    /// Avery L7160 and compatibles: A4, 21 labels of 63.5 × 38.1 mm, 3 × 7.
    L7160,
    /// Single 2 × 1 inch labels on a thermal printer's roll, one label a page.
    Thermal2x1,
}

/// Where the labels sit on a sheet, in points: the page, a label, the grid.
struct Geometry {
    page: (f32, f32),
    label: (f32, f32),
    columns: usize,
    rows: usize,
    /// The top left label's left and top edges.
    origin: (f32, f32),
    /// From one label's corner to the next one's, across and down.
    pitch: (f32, f32),
}

const MM: f32 = 72.0 / 25.4;
const INCH: f32 = 72.0;

impl Stock {
    pub const ALL: [Stock; 3] = [Stock::Avery5160, Stock::L7160, Stock::Thermal2x1];

    pub fn parse(slug: &str) -> Option<Stock> {
        Stock::ALL.into_iter().find(|s| s.slug() == slug)
    }

    /// The name in addresses (`?stock=avery-5160`).
    pub fn slug(self) -> &'static str {
        match self {
            Stock::Avery5160 => "avery-5160",
            Stock::L7160 => "l7160",
            Stock::Thermal2x1 => "thermal-2x1",
        }
    }

    /// The name people know it by.
    pub fn name(self) -> &'static str {
        match self {
            Stock::Avery5160 => "Avery 5160 (US Letter, 30 a sheet)",
            Stock::L7160 => "L7160 (A4, 21 a sheet)",
            Stock::Thermal2x1 => "Thermal 2 × 1 inch (one a label)",
        }
    }

    /// Labels on one page.
    pub fn per_page(self) -> usize {
        let g = self.geometry();
        g.columns * g.rows
    }

    fn geometry(self) -> Geometry {
        match self {
            // Avery's template: top and bottom margins ½", sides 3/16", columns 2¾" apart.
            Stock::Avery5160 => Geometry {
                page: (8.5 * INCH, 11.0 * INCH),
                label: (2.625 * INCH, INCH),
                columns: 3,
                rows: 10,
                origin: (0.1875 * INCH, 0.5 * INCH),
                pitch: (2.75 * INCH, INCH),
            },
            // Avery's template: top and bottom margins 15.15 mm, sides 7.21 mm, columns
            // 66.04 mm apart.
            Stock::L7160 => Geometry {
                page: (210.0 * MM, 297.0 * MM),
                label: (63.5 * MM, 38.1 * MM),
                columns: 3,
                rows: 7,
                origin: (7.21 * MM, 15.15 * MM),
                pitch: (66.04 * MM, 38.1 * MM),
            },
            Stock::Thermal2x1 => Geometry {
                page: (2.0 * INCH, INCH),
                label: (2.0 * INCH, INCH),
                columns: 1,
                rows: 1,
                origin: (0.0, 0.0),
                pitch: (2.0 * INCH, INCH),
            },
        }
    }
}

/// The safety marking a label shows, in words and as the colour of its band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Marking {
    /// A firearm that can fire live ammunition.
    RealFiring,
    /// A firearm adapted to fire blanks only.
    BlankAdapted,
    /// A replica that cannot fire.
    ReplicaNonFiring,
    /// A rubber (training) firearm.
    Rubber,
    /// Dummy rounds.
    Dummy,
    /// Blank rounds.
    Blank,
    /// Live rounds: for the range only, never on set.
    LiveRangeOnly,
    /// Ammunition held back until verified, or rejected: not to be used.
    Quarantined,
}

impl Marking {
    /// The words on the label.
    pub fn words(self) -> &'static str {
        match self {
            Marking::RealFiring => "REAL FIRING",
            Marking::BlankAdapted => "BLANK-ADAPTED",
            Marking::ReplicaNonFiring => "REPLICA – NON-FIRING",
            Marking::Rubber => "RUBBER",
            Marking::Dummy => "DUMMY",
            Marking::Blank => "BLANK",
            Marking::LiveRangeOnly => "LIVE – RANGE ONLY",
            Marking::Quarantined => "QUARANTINED",
        }
    }

    /// The band's colour and the colour of the words on it (black or white, whichever reads
    /// better on the band; a monochrome printer still prints the words).
    fn colours(self) -> (Rgb, Rgb) {
        match self {
            Marking::RealFiring | Marking::LiveRangeOnly => (Rgb(0.78, 0.0, 0.0), WHITE),
            Marking::BlankAdapted => (Rgb(0.96, 0.5, 0.0), BLACK),
            Marking::ReplicaNonFiring => (Rgb(0.0, 0.33, 0.72), WHITE),
            Marking::Rubber | Marking::Dummy => (Rgb(0.0, 0.5, 0.22), WHITE),
            Marking::Blank => (Rgb(1.0, 0.84, 0.0), BLACK),
            Marking::Quarantined => (BLACK, Rgb(1.0, 0.84, 0.0)),
        }
    }
}

/// One label: its marking, its name (bold), further lines (serial, class), and the address
/// its QR code opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub marking: Marking,
    pub title: String,
    pub lines: Vec<String>,
    pub url: String,
}

/// Type sizes of a stock's labels: marking, title, lines.
fn sizes(stock: Stock) -> (f32, f32, f32) {
    match stock {
        Stock::Avery5160 => (8.0, 8.0, 6.5),
        Stock::L7160 => (9.0, 9.5, 7.5),
        Stock::Thermal2x1 => (7.0, 7.5, 6.0),
    }
}

/// The largest QR code of a stock's labels, in points (with its quiet zone): big enough
/// for a phone at arm's length, leaving the text room beside it.
fn qr_size(stock: Stock) -> f32 {
    match stock {
        Stock::Avery5160 | Stock::Thermal2x1 => 62.0,
        Stock::L7160 => 80.0,
    }
}

/// The labels laid out on `stock`, in order, as many pages as they need (one page with a
/// note when there are none).
pub fn render_labels(labels: &[Label], stock: Stock, title: &str) -> Result<Vec<u8>, Error> {
    let g = stock.geometry();
    let mut doc = Doc::new(g.page.0, g.page.1);
    if labels.is_empty() {
        let page = doc.page();
        let (_, _, size) = sizes(stock);
        doc.text(page, (6.0, g.page.1 - 20.0), (Regular, size), BLACK, "No firearms or containers to label yet.");
    }
    for (i, label) in labels.iter().enumerate() {
        let slot = i % stock.per_page();
        let page = if slot == 0 { doc.page() } else { doc.page_count() - 1 };
        let (col, row) = (slot % g.columns, slot / g.columns);
        let x = g.origin.0 + col as f32 * g.pitch.0;
        let top = g.page.1 - g.origin.1 - row as f32 * g.pitch.1;
        draw(&mut doc, page, stock, x, top - g.label.1, g.label, label)?;
    }
    Ok(doc.finish(title, &[])?)
}

/// One label with its lower left corner at (x, y).
fn draw(
    doc: &mut Doc,
    page: usize,
    stock: Stock,
    x: f32,
    y: f32,
    size: (f32, f32),
    label: &Label,
) -> Result<(), Error> {
    // Inside the label's edge: die-cut labels have rounded corners and some play.
    let pad = 5.0;
    let qr = (size.1 - 2.0 * pad).min(qr_size(stock));
    doc.qr(page, x + pad, y + (size.1 - qr) / 2.0, qr, &label.url)?;
    let tx = x + pad + qr + 4.0;
    let tw = x + size.0 - pad - tx;
    let (mark_size, title_size, line_size) = sizes(stock);
    // The marking's words are never cut: smaller type when its longest word is too wide.
    let widest = label.marking.words().split_whitespace().map(|w| doc.width_of(Bold, mark_size, w)).fold(0.0, f32::max);
    let mark_size = if widest > tw - 4.0 { mark_size * (tw - 4.0) / widest } else { mark_size };
    let (band, ink) = label.marking.colours();
    let words = wrap(doc, Bold, mark_size, label.marking.words(), tw - 4.0);
    let band_h = words.len() as f32 * mark_size * 1.15 + 4.0;
    let mut cursor = y + size.1 - pad;
    doc.rect(page, tx, cursor - band_h, tw, band_h, band);
    for line in &words {
        cursor -= mark_size * 1.15;
        doc.text(page, (tx + 2.0, cursor + 0.5), (Bold, mark_size), ink, line);
    }
    cursor -= 4.0;
    let floor = y + pad;
    let mut put = |doc: &mut Doc, weight, size: f32, text: &str, max_lines: usize| {
        let mut lines = wrap(doc, weight, size, text, tw);
        if lines.len() > max_lines {
            lines.truncate(max_lines);
            if let Some(last) = lines.last_mut() {
                last.push('…');
            }
        }
        for line in lines {
            if cursor - size * 1.2 < floor {
                return;
            }
            cursor -= size * 1.2;
            doc.text(page, (tx, cursor + 1.0), (weight, size), BLACK, &line);
        }
    };
    put(doc, Bold, title_size, &label.title, 2);
    for line in &label.lines {
        put(doc, Regular, line_size, line, 2);
    }
    Ok(())
}
