//! The embedded font (DejaVu Sans, regular and bold: fonts/LICENSE-DejaVu.txt): glyph ids
//! and advance widths for laying text out, and the subset of glyphs a PDF used, which is
//! all that PDF embeds.
//!
//! Text is laid out one character to one glyph, by the font's `cmap`, without shaping:
//! DejaVu Sans draws Latin, Greek and Cyrillic names this way (precomposed accents); a
//! character it lacks prints as its empty box, and still extracts as itself.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

static REGULAR_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Which of the two faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// Characters below this are looked up once, in a table.
const TABLE: usize = 0x600;

pub(crate) struct Font {
    pub(crate) name: &'static str,
    data: &'static [u8],
    face: ttf_parser::Face<'static>,
    units_per_em: f32,
    /// (glyph id, advance in font units) of the first `TABLE` characters.
    table: Vec<(u16, u16)>,
    pub(crate) ascent: f32,
    pub(crate) descent: f32,
    pub(crate) cap_height: f32,
    pub(crate) bbox: [f32; 4],
}

impl Font {
    fn load(name: &'static str, data: &'static [u8]) -> Result<Font, String> {
        let face = ttf_parser::Face::parse(data, 0).map_err(|e| format!("font {name}: {e}"))?;
        let units_per_em = f32::from(face.units_per_em());
        let mut font = Font {
            name,
            data,
            units_per_em,
            table: Vec::new(),
            ascent: f32::from(face.ascender()),
            descent: f32::from(face.descender()),
            cap_height: f32::from(face.capital_height().unwrap_or(face.ascender())),
            bbox: {
                let b = face.global_bounding_box();
                [f32::from(b.x_min), f32::from(b.y_min), f32::from(b.x_max), f32::from(b.y_max)]
            },
            face,
        };
        font.table = (0..TABLE as u32).map(|c| char::from_u32(c).map_or((0, 0), |c| font.lookup(c))).collect();
        Ok(font)
    }

    fn lookup(&self, c: char) -> (u16, u16) {
        let gid = self.face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
        (gid.0, self.face.glyph_hor_advance(gid).unwrap_or(0))
    }

    /// The glyph id and advance (font units) of a character.
    pub(crate) fn glyph(&self, c: char) -> (u16, u16) {
        match self.table.get(c as usize) {
            Some(g) => *g,
            None => self.lookup(c),
        }
    }

    /// Font units to text space units at size 1000 (the PDF's glyph widths).
    pub(crate) fn to_thousandths(&self, units: f32) -> f32 {
        units * 1000.0 / self.units_per_em
    }

    /// The width of `text` at `size` points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text.chars().map(|c| u32::from(self.glyph(c).1)).sum();
        units as f32 * size / self.units_per_em
    }

    /// A TrueType font holding only the glyphs `used` (and those their composites are made
    /// of, and glyph 0), at their original ids, so the PDF's text needs no renumbering.
    /// Every other glyph is left empty; tables a PDF reader does not use are dropped.
    pub(crate) fn subset(&self, used: &BTreeSet<u16>) -> Result<Vec<u8>, String> {
        subset(self.data, used).map_err(|e| format!("font {}: {e}", self.name))
    }
}

pub(crate) fn font(weight: Weight) -> &'static Font {
    static REGULAR: OnceLock<Font> = OnceLock::new();
    static BOLD: OnceLock<Font> = OnceLock::new();
    let (cell, name, data) = match weight {
        Weight::Regular => (&REGULAR, "DejaVuSans", REGULAR_TTF),
        Weight::Bold => (&BOLD, "DejaVuSans-Bold", BOLD_TTF),
    };
    // The fonts are part of the binary and parse; a test renders with both.
    cell.get_or_init(|| match Font::load(name, data) {
        Ok(f) => f,
        Err(e) => unreachable_font(&e),
    })
}

#[cold]
#[allow(clippy::panic)]
fn unreachable_font(e: &str) -> ! {
    panic!("the embedded font does not parse: {e}")
}

fn be16(d: &[u8], at: usize) -> Result<u16, String> {
    d.get(at..at + 2).map(|b| u16::from_be_bytes([b[0], b[1]])).ok_or_else(|| "truncated".to_owned())
}

fn be32(d: &[u8], at: usize) -> Result<u32, String> {
    d.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]])).ok_or_else(|| "truncated".to_owned())
}

fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, c| {
        let mut word = [0u8; 4];
        word[..c.len()].copy_from_slice(c);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

/// The tables a PDF reader needs of an embedded TrueType font (ISO 32000 9.9: glyf, head,
/// hhea, hmtx, loca, maxp, and the hinting programs cvt, fpgm, prep), plus OS/2.
const KEEP: [&[u8; 4]; 10] = [b"OS/2", b"cvt ", b"fpgm", b"glyf", b"head", b"hhea", b"hmtx", b"loca", b"maxp", b"prep"];

fn subset(data: &[u8], used: &BTreeSet<u16>) -> Result<Vec<u8>, String> {
    let count = usize::from(be16(data, 4)?);
    let mut tables: BTreeMap<[u8; 4], &[u8]> = BTreeMap::new();
    for i in 0..count {
        let rec = 12 + 16 * i;
        let tag: [u8; 4] = data.get(rec..rec + 4).and_then(|t| t.try_into().ok()).ok_or("truncated")?;
        let (off, len) = (be32(data, rec + 8)? as usize, be32(data, rec + 12)? as usize);
        tables.insert(tag, data.get(off..off + len).ok_or("table out of bounds")?);
    }
    let table =
        |tag: &[u8; 4]| tables.get(tag).copied().ok_or_else(|| format!("no {} table", String::from_utf8_lossy(tag)));
    let (head, loca, glyf, maxp, hhea, hmtx) =
        (table(b"head")?, table(b"loca")?, table(b"glyf")?, table(b"maxp")?, table(b"hhea")?, table(b"hmtx")?);
    let glyphs = usize::from(be16(maxp, 4)?);
    let long = be16(head, 50)? == 1;
    let offset = |g: usize| -> Result<usize, String> {
        Ok(if long { be32(loca, 4 * g)? as usize } else { 2 * usize::from(be16(loca, 2 * g)?) })
    };
    let glyph = |g: usize| -> Result<&[u8], String> {
        let (a, b) = (offset(g)?, offset(g + 1)?);
        glyf.get(a..b).ok_or_else(|| format!("glyph {g} out of bounds"))
    };

    // The glyphs to keep: the ones used, glyph 0, and every component of a composite.
    let mut keep: BTreeSet<usize> = used.iter().map(|g| usize::from(*g)).filter(|g| *g < glyphs).collect();
    keep.insert(0);
    let mut todo: Vec<usize> = keep.iter().copied().collect();
    while let Some(g) = todo.pop() {
        let d = glyph(g)?;
        if d.len() < 10 || (be16(d, 0)? as i16) >= 0 {
            continue;
        }
        let mut at = 10;
        loop {
            let flags = be16(d, at)?;
            let component = usize::from(be16(d, at + 2)?);
            if component < glyphs && keep.insert(component) {
                todo.push(component);
            }
            at += 4 + if flags & 0x0001 != 0 { 4 } else { 2 };
            at += if flags & 0x0008 != 0 {
                2
            } else if flags & 0x0040 != 0 {
                4
            } else if flags & 0x0080 != 0 {
                8
            } else {
                0
            };
            if flags & 0x0020 == 0 {
                break;
            }
        }
    }

    // glyf and loca (long offsets) with only the kept glyphs' outlines.
    let mut new_glyf = Vec::new();
    let mut new_loca = Vec::with_capacity(4 * (glyphs + 1));
    for g in 0..glyphs {
        new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());
        if keep.contains(&g) {
            new_glyf.extend_from_slice(glyph(g)?);
            while new_glyf.len() % 4 != 0 {
                new_glyf.push(0);
            }
        }
    }
    new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());
    // hmtx with the metrics of dropped glyphs zeroed (the PDF states its own widths).
    let metrics = usize::from(be16(hhea, 34)?);
    let mut new_hmtx = hmtx.to_vec();
    for g in 0..glyphs {
        if !keep.contains(&g) {
            let at = if g < metrics { 4 * g } else { 4 * metrics + 2 * (g - metrics) };
            let len = if g < metrics { 4 } else { 2 };
            if let Some(slot) = new_hmtx.get_mut(at..at + len) {
                slot.fill(0);
            }
        }
    }
    let mut new_head = head.to_vec();
    new_head.get_mut(8..12).ok_or("short head")?.fill(0);
    new_head.get_mut(50..52).ok_or("short head")?.copy_from_slice(&1u16.to_be_bytes());

    let mut out_tables: Vec<([u8; 4], Vec<u8>)> = Vec::new();
    for tag in KEEP {
        let body = match tag {
            b"glyf" => new_glyf.clone(),
            b"loca" => new_loca.clone(),
            b"hmtx" => new_hmtx.clone(),
            b"head" => new_head.clone(),
            _ => match tables.get(tag) {
                Some(t) => t.to_vec(),
                None => continue,
            },
        };
        out_tables.push((*tag, body));
    }
    let n = out_tables.len() as u16;
    let mut pow = 1u16;
    let mut log = 0u16;
    while pow * 2 <= n {
        pow *= 2;
        log += 1;
    }
    let mut out = Vec::new();
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(&(pow * 16).to_be_bytes());
    out.extend_from_slice(&log.to_be_bytes());
    out.extend_from_slice(&(n * 16 - pow * 16).to_be_bytes());
    let mut at = 12 + 16 * out_tables.len();
    let mut head_at = 0;
    for (tag, body) in &out_tables {
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(body).to_be_bytes());
        out.extend_from_slice(&(at as u32).to_be_bytes());
        out.extend_from_slice(&(body.len() as u32).to_be_bytes());
        if tag == b"head" {
            head_at = at;
        }
        at += body.len().div_ceil(4) * 4;
    }
    for (_, body) in &out_tables {
        out.extend_from_slice(body);
        while out.len() % 4 != 0 {
            out.push(0);
        }
    }
    let adjust = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
    out.get_mut(head_at + 8..head_at + 12).ok_or("short head")?.copy_from_slice(&adjust.to_be_bytes());
    Ok(out)
}
