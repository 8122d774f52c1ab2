//! Photos into a PDF: a JPEG goes in as it is (PDF readers decode JPEG themselves; only its
//! size and colour components are read from its frame header); a PNG is unpacked (zlib and
//! its row filters), its alpha split into a soft mask, and packed again. 8-bit PNGs that
//! are not interlaced are read (what cameras and phones write); others are refused, and
//! the record prints the photo's hash and caption without it.

use pdf_writer::{Filter, Finish, Name, Pdf, Ref};

pub(crate) struct Image {
    pub(crate) width: u32,
    pub(crate) height: u32,
    kind: Kind,
}

enum Kind {
    Jpeg { bytes: Vec<u8>, components: u8 },
    Raw { pixels: Vec<u8>, rgb: bool, alpha: Option<Vec<u8>> },
}

/// Photos larger than this many pixels are refused (a 48-megapixel phone photo is fine).
const MAX_PIXELS: u64 = 64_000_000;

impl Image {
    pub(crate) fn read(bytes: &[u8], media_type: &str) -> Result<Image, String> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            png(bytes)
        } else if bytes.starts_with(&[0xFF, 0xD8]) {
            jpeg(bytes)
        } else {
            Err(format!("not a PNG or JPEG image ({media_type})"))
        }
    }

    pub(crate) fn write(&self, pdf: &mut Pdf, id: Ref, mask_id: Ref) {
        match &self.kind {
            Kind::Jpeg { bytes, components } => {
                let mut x = pdf.image_xobject(id, bytes);
                x.width(self.width as i32).height(self.height as i32).bits_per_component(8);
                x.filter(Filter::DctDecode);
                x.color_space_name(match components {
                    1 => Name(b"DeviceGray"),
                    4 => Name(b"DeviceCMYK"),
                    _ => Name(b"DeviceRGB"),
                });
                if *components == 4 {
                    // Adobe's CMYK JPEGs are stored inverted.
                    x.decode([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
                }
                x.finish();
            }
            Kind::Raw { pixels, rgb, alpha } => {
                let data = crate::doc::deflate(pixels);
                let mut x = pdf.image_xobject(id, &data);
                x.width(self.width as i32).height(self.height as i32).bits_per_component(8);
                x.filter(Filter::FlateDecode);
                x.color_space_name(if *rgb { Name(b"DeviceRGB") } else { Name(b"DeviceGray") });
                if alpha.is_some() {
                    x.s_mask(mask_id);
                }
                x.finish();
                if let Some(alpha) = alpha {
                    let data = crate::doc::deflate(alpha);
                    let mut m = pdf.image_xobject(mask_id, &data);
                    m.width(self.width as i32)
                        .height(self.height as i32)
                        .bits_per_component(8)
                        .color_space_name(Name(b"DeviceGray"));
                    m.filter(Filter::FlateDecode);
                    m.finish();
                }
            }
        }
    }
}

fn check_size(width: u32, height: u32) -> Result<(), String> {
    if width == 0 || height == 0 || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(format!("image of {width}×{height} pixels"));
    }
    Ok(())
}

fn jpeg(bytes: &[u8]) -> Result<Image, String> {
    let mut at = 2;
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xFF {
            return Err("JPEG: marker expected".into());
        }
        let marker = bytes[at + 1];
        if marker == 0xFF {
            at += 1;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        // Start of frame (baseline, progressive, ...), not DHT (C4), JPG (C8) or DAC (CC).
        if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
            let seg = bytes.get(at + 4..at + 2 + len).ok_or("JPEG: truncated frame header")?;
            if seg.len() < 6 {
                return Err("JPEG: short frame header".into());
            }
            let height = u32::from(u16::from_be_bytes([seg[1], seg[2]]));
            let width = u32::from(u16::from_be_bytes([seg[3], seg[4]]));
            let components = seg[5];
            check_size(width, height)?;
            if ![1, 3, 4].contains(&components) {
                return Err(format!("JPEG with {components} components"));
            }
            return Ok(Image { width, height, kind: Kind::Jpeg { bytes: bytes.to_vec(), components } });
        }
        at += 2 + len;
    }
    Err("JPEG: no frame header".into())
}

fn png(bytes: &[u8]) -> Result<Image, String> {
    let mut at = 8;
    let (mut width, mut height, mut colour, mut depth, mut interlace) = (0u32, 0u32, 0u8, 0u8, 0u8);
    let mut palette: &[u8] = &[];
    let mut idat = Vec::new();
    while at + 8 <= bytes.len() {
        let len = u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize;
        let kind = &bytes[at + 4..at + 8];
        let data = bytes.get(at + 8..at + 8 + len).ok_or("PNG: truncated chunk")?;
        match kind {
            b"IHDR" if data.len() >= 13 => {
                width = u32::from_be_bytes([data[0], data[1], data[2], data[3]]);
                height = u32::from_be_bytes([data[4], data[5], data[6], data[7]]);
                (depth, colour, interlace) = (data[8], data[9], data[12]);
            }
            b"PLTE" => palette = data,
            b"IDAT" => idat.extend_from_slice(data),
            b"IEND" => break,
            _ => {}
        }
        at += 12 + len;
    }
    check_size(width, height)?;
    if depth != 8 || interlace != 0 {
        return Err(format!("PNG of bit depth {depth}{}", if interlace != 0 { ", interlaced" } else { "" }));
    }
    let channels: usize = match colour {
        0 | 3 => 1,
        2 => 3,
        4 => 2,
        6 => 4,
        _ => return Err(format!("PNG colour type {colour}")),
    };
    let stride = width as usize * channels;
    let expected = (stride + 1) * height as usize;
    let raw = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&idat, expected)
        .map_err(|e| format!("PNG: {:?}", e.status))?;
    if raw.len() != expected {
        return Err("PNG: wrong amount of image data".into());
    }
    // Undo the row filters (PNG specification, 9: filter types 0 to 4).
    let mut out = vec![0u8; stride * height as usize];
    for row in 0..height as usize {
        let filter = raw[row * (stride + 1)];
        let line = &raw[row * (stride + 1) + 1..(row + 1) * (stride + 1)];
        for i in 0..stride {
            let a = if i >= channels { out[row * stride + i - channels] } else { 0 };
            let b = if row > 0 { out[(row - 1) * stride + i] } else { 0 };
            let c = if row > 0 && i >= channels { out[(row - 1) * stride + i - channels] } else { 0 };
            let predicted = match filter {
                0 => 0,
                1 => a,
                2 => b,
                3 => ((u16::from(a) + u16::from(b)) / 2) as u8,
                4 => paeth(a, b, c),
                f => return Err(format!("PNG: filter type {f}")),
            };
            out[row * stride + i] = line[i].wrapping_add(predicted);
        }
    }
    let kind = match colour {
        0 => Kind::Raw { pixels: out, rgb: false, alpha: None },
        2 => Kind::Raw { pixels: out, rgb: true, alpha: None },
        3 => {
            let mut pixels = Vec::with_capacity(out.len() * 3);
            for i in out {
                let at = usize::from(i) * 3;
                pixels.extend_from_slice(palette.get(at..at + 3).ok_or("PNG: colour not in its palette")?);
            }
            Kind::Raw { pixels, rgb: true, alpha: None }
        }
        _ => {
            let colours = channels - 1;
            let mut pixels = Vec::with_capacity(out.len() / channels * colours);
            let mut alpha = Vec::with_capacity(out.len() / channels);
            for px in out.chunks_exact(channels) {
                pixels.extend_from_slice(&px[..colours]);
                alpha.push(px[colours]);
            }
            Kind::Raw { pixels, rgb: colours == 3, alpha: Some(alpha) }
        }
    };
    Ok(Image { width, height, kind })
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = ((p - i16::from(a)).abs(), (p - i16::from(b)).abs(), (p - i16::from(c)).abs());
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}
