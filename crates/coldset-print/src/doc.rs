//! A small PDF document builder over pdf-writer: pages of one size, text in the embedded
//! font (wrapped to a width), filled rectangles, QR codes (each one a form drawn once and
//! placed on any page) and images, and one attached file. Object numbers are given out in
//! the order things were drawn and nothing reads a clock or a random source, so the same
//! drawing makes the same bytes.

use crate::font::{font, Weight};
use crate::image::Image;
use pdf_writer::types::{AssociationKind, CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use std::collections::{BTreeMap, BTreeSet};

/// A colour, 0..1 per channel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rgb(pub f32, pub f32, pub f32);

pub(crate) const BLACK: Rgb = Rgb(0.0, 0.0, 0.0);
pub(crate) const WHITE: Rgb = Rgb(1.0, 1.0, 1.0);

/// Compression of the streams: level 6 of 10 (zlib's default): within a few percent of the
/// smallest, several times faster than the highest.
const LEVEL: u8 = 6;

pub(crate) struct Doc {
    pub(crate) width: f32,
    pub(crate) height: f32,
    pages: Vec<Page>,
    /// The glyphs used of each face, with the character each stands for.
    used: BTreeMap<Weight, BTreeMap<u16, char>>,
    /// QR codes by their text: (modules per side with the quiet zone, the form's drawing).
    qr: Vec<(String, usize, Vec<u8>)>,
    images: Vec<Image>,
}

impl Doc {
    pub(crate) fn new(width: f32, height: f32) -> Doc {
        Doc { width, height, pages: Vec::new(), used: BTreeMap::new(), qr: Vec::new(), images: Vec::new() }
    }

    /// Starts a page; returns its index.
    pub(crate) fn page(&mut self) -> usize {
        self.pages.push(Page::default());
        self.pages.len() - 1
    }

    pub(crate) fn page_count(&self) -> usize {
        self.pages.len()
    }

    fn content(&mut self, page: usize) -> &mut Page {
        if page >= self.pages.len() {
            self.pages.resize_with(page + 1, Page::default);
        }
        &mut self.pages[page]
    }

    pub(crate) fn width_of(&self, weight: Weight, size: f32, text: &str) -> f32 {
        font(weight).width(text, size)
    }

    /// Draws one line of text with its baseline at `y` (points from the bottom).
    pub(crate) fn text(
        &mut self,
        page: usize,
        (x, y): (f32, f32),
        (weight, size): (Weight, f32),
        colour: Rgb,
        text: &str,
    ) {
        if text.is_empty() {
            return;
        }
        let f = font(weight);
        let used = self.used.entry(weight).or_default();
        let mut glyphs = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let (gid, _) = f.glyph(c);
            used.entry(gid).or_insert(c);
            glyphs.extend_from_slice(&gid.to_be_bytes());
        }
        let name = match weight {
            Weight::Regular => Name(b"F1"),
            Weight::Bold => Name(b"F2"),
        };
        let c = self.content(page);
        c.fill(colour);
        if c.font != Some((weight, size.to_bits())) {
            c.font = Some((weight, size.to_bits()));
            c.content.set_font(name, size);
        }
        c.content.begin_text().next_line(x, y).show(Str(&glyphs)).end_text();
    }

    pub(crate) fn rect(&mut self, page: usize, x: f32, y: f32, w: f32, h: f32, colour: Rgb) {
        let c = self.content(page);
        c.fill(colour);
        c.content.rect(x, y, w, h).fill_nonzero();
    }

    pub(crate) fn line(&mut self, page: usize, from: (f32, f32), to: (f32, f32), width: f32, colour: Rgb) {
        let c = self.content(page);
        if c.stroke != Some((colour, width)) {
            c.stroke = Some((colour, width));
            c.content.set_stroke_rgb(colour.0, colour.1, colour.2).set_line_width(width);
        }
        c.content.move_to(from.0, from.1).line_to(to.0, to.1).stroke();
    }

    /// A QR code of `text` whose lower left corner is at (x, y), `size` points square, its
    /// quiet zone (four modules each side) included; dark modules are filled rectangles.
    pub(crate) fn qr(&mut self, page: usize, x: f32, y: f32, size: f32, text: &str) -> Result<(), String> {
        let index = match self.qr.iter().position(|(t, ..)| t == text) {
            Some(i) => i,
            None => {
                let code = qrcode::QrCode::new(text.as_bytes()).map_err(|e| format!("QR code of {text}: {e}"))?;
                let n = code.width();
                let dark = code.to_colors();
                let mut form = Content::new();
                form.set_fill_gray(1.0).rect(0.0, 0.0, (n + 8) as f32, (n + 8) as f32).fill_nonzero();
                form.set_fill_gray(0.0);
                for row in 0..n {
                    // Runs of dark modules in a row as one rectangle each: no seams between them.
                    let mut col = 0;
                    while col < n {
                        if dark[row * n + col] == qrcode::Color::Dark {
                            let start = col;
                            while col < n && dark[row * n + col] == qrcode::Color::Dark {
                                col += 1;
                            }
                            let top = (n + 4 - row) as f32;
                            form.rect((start + 4) as f32, top - 1.0, (col - start) as f32, 1.0);
                        } else {
                            col += 1;
                        }
                    }
                }
                form.fill_nonzero();
                self.qr.push((text.to_owned(), n + 8, form.finish().into_vec()));
                self.qr.len() - 1
            }
        };
        let scale = size / self.qr[index].1 as f32;
        let name = format!("Q{index}");
        let c = &mut self.content(page).content;
        c.save_state().transform([scale, 0.0, 0.0, scale, x, y]).x_object(Name(name.as_bytes())).restore_state();
        Ok(())
    }

    /// Adds an image (PNG or JPEG bytes); returns its index and its size in pixels.
    pub(crate) fn add_image(&mut self, bytes: &[u8], media_type: &str) -> Result<(usize, u32, u32), String> {
        let image = Image::read(bytes, media_type)?;
        let (w, h) = (image.width, image.height);
        self.images.push(image);
        Ok((self.images.len() - 1, w, h))
    }

    pub(crate) fn image(&mut self, page: usize, index: usize, x: f32, y: f32, w: f32, h: f32) {
        let name = format!("I{index}");
        self.content(page)
            .content
            .save_state()
            .transform([w, 0.0, 0.0, h, x, y])
            .x_object(Name(name.as_bytes()))
            .restore_state();
    }

    /// The PDF: `title` in its information, each attachment as an embedded file listed in
    /// the document's attachments (by name: a name tree is sorted).
    pub(crate) fn finish(self, title: &str, attachments: &[Attachment<'_>]) -> Result<Vec<u8>, String> {
        let mut attachments: Vec<&Attachment<'_>> = attachments.iter().collect();
        attachments.sort_by(|a, b| a.name.cmp(b.name));
        let mut next = 1;
        let mut alloc = || {
            let r = Ref::new(next);
            next += 1;
            r
        };
        let catalog_id = alloc();
        let tree_id = alloc();
        let info_id = alloc();
        let page_ids: Vec<(Ref, Ref)> = self.pages.iter().map(|_| (alloc(), alloc())).collect();
        let fonts: Vec<(Weight, [Ref; 5])> =
            self.used.keys().map(|w| (*w, [alloc(), alloc(), alloc(), alloc(), alloc()])).collect();
        let qr_ids: Vec<Ref> = self.qr.iter().map(|_| alloc()).collect();
        let image_ids: Vec<(Ref, Ref)> = self.images.iter().map(|_| (alloc(), alloc())).collect();
        let file_ids: Vec<(Ref, Ref)> = attachments.iter().map(|_| (alloc(), alloc())).collect();

        let mut pdf = Pdf::new();
        pdf.set_version(1, 7);
        {
            let mut catalog = pdf.catalog(catalog_id);
            catalog.pages(tree_id);
            if !attachments.is_empty() {
                let mut names = catalog.names();
                let mut files = names.embedded_files();
                let mut entries = files.names();
                for (a, (spec, _)) in attachments.iter().zip(&file_ids) {
                    entries.insert(Str(a.name.as_bytes()), *spec);
                }
            }
        }
        pdf.document_info(info_id).title(TextStr(title)).producer(TextStr("coldset"));
        pdf.pages(tree_id).kids(page_ids.iter().map(|(p, _)| *p)).count(page_ids.len() as i32);
        for (i, (page_id, content_id)) in page_ids.iter().enumerate() {
            let mut page = pdf.page(*page_id);
            page.media_box(Rect::new(0.0, 0.0, self.width, self.height)).parent(tree_id).contents(*content_id);
            let mut resources = page.resources();
            let mut font_dict = resources.fonts();
            for (weight, refs) in &fonts {
                let name = match weight {
                    Weight::Regular => Name(b"F1"),
                    Weight::Bold => Name(b"F2"),
                };
                font_dict.pair(name, refs[0]);
            }
            font_dict.finish();
            let mut objects = resources.x_objects();
            for (j, id) in qr_ids.iter().enumerate() {
                objects.pair(Name(format!("Q{j}").as_bytes()), *id);
            }
            for (j, (id, _)) in image_ids.iter().enumerate() {
                objects.pair(Name(format!("I{j}").as_bytes()), *id);
            }
            objects.finish();
            resources.finish();
            page.finish();
            let _ = i;
        }
        for ((_, content_id), page) in page_ids.iter().zip(self.pages) {
            let data = deflate_fast(&page.content.finish());
            pdf.stream(*content_id, &data).filter(Filter::FlateDecode);
        }
        for (weight, [type0, cid, descriptor, file, cmap]) in &fonts {
            let f = font(*weight);
            let used = &self.used[weight];
            let base = format!("{}+{}", subset_tag(used), f.name);
            pdf.type0_font(*type0)
                .base_font(Name(base.as_bytes()))
                .encoding_predefined(Name(b"Identity-H"))
                .descendant_font(*cid)
                .to_unicode(*cmap);
            let info = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };
            let mut cid_font = pdf.cid_font(*cid);
            cid_font
                .subtype(CidFontType::Type2)
                .base_font(Name(base.as_bytes()))
                .system_info(info)
                .font_descriptor(*descriptor)
                .cid_to_gid_map_predefined(Name(b"Identity"));
            let mut widths = cid_font.widths();
            for (gid, c) in used {
                widths.consecutive(*gid, [f.to_thousandths(f32::from(f.glyph(*c).1))]);
            }
            widths.finish();
            cid_font.finish();
            let t = |v: f32| f.to_thousandths(v);
            pdf.font_descriptor(*descriptor)
                .name(Name(base.as_bytes()))
                .flags(FontFlags::NON_SYMBOLIC)
                .bbox(Rect::new(t(f.bbox[0]), t(f.bbox[1]), t(f.bbox[2]), t(f.bbox[3])))
                .italic_angle(0.0)
                .ascent(t(f.ascent))
                .descent(t(f.descent))
                .cap_height(t(f.cap_height))
                .stem_v(if *weight == Weight::Bold { 140.0 } else { 80.0 })
                .font_file2(*file);
            let glyphs: BTreeSet<u16> = used.keys().copied().collect();
            let program = f.subset(&glyphs)?;
            let data = deflate(&program);
            pdf.stream(*file, &data).filter(Filter::FlateDecode).pair(Name(b"Length1"), program.len() as i32);
            let mut to_unicode = UnicodeCmap::new(Name(b"Custom"), info);
            for (gid, c) in used {
                if *gid != 0 {
                    to_unicode.pair(*gid, *c);
                }
            }
            let data = deflate(&to_unicode.finish());
            pdf.cmap(*cmap, &data).filter(Filter::FlateDecode);
        }
        for ((_, size, drawing), id) in self.qr.iter().zip(&qr_ids) {
            let data = deflate(drawing);
            pdf.form_xobject(*id, &data)
                .bbox(Rect::new(0.0, 0.0, *size as f32, *size as f32))
                .filter(Filter::FlateDecode);
        }
        for (image, (id, mask_id)) in self.images.iter().zip(&image_ids) {
            image.write(&mut pdf, *id, *mask_id);
        }
        for (a, (spec, file)) in attachments.iter().zip(&file_ids) {
            // Text is packed; a photo is already (JPEG, PNG) and is kept as it is.
            let packed = a.media_type.starts_with("text/");
            let data = if packed { deflate_fast(a.bytes) } else { a.bytes.to_vec() };
            let mut embedded = pdf.embedded_file(*file, &data);
            embedded.subtype(Name(a.media_type.as_bytes()));
            if packed {
                embedded.filter(Filter::FlateDecode);
            }
            embedded.params().size(a.bytes.len() as i32);
            embedded.finish();
            pdf.file_spec(*spec)
                .path(Str(a.name.as_bytes()))
                .unic_file(TextStr(a.name))
                .description(TextStr(a.description))
                .embedded_file_with_unicode(*file)
                .association_kind(AssociationKind::Data);
        }
        Ok(pdf.finish())
    }
}

/// A file carried inside the PDF.
pub(crate) struct Attachment<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub media_type: &'a str,
    pub bytes: &'a [u8],
}

pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, LEVEL)
}

/// The pages' drawing and the attached CSV, the bulk of a long record: the fastest level,
/// a few times faster than level 6 for a file about a fifth larger.
pub(crate) fn deflate_fast(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 1)
}

/// A page's drawing, and the colours, line and type it has set, so that a run of text
/// in the same type and colour does not set them again.
struct Page {
    content: Content,
    fill: Option<Rgb>,
    stroke: Option<(Rgb, f32)>,
    font: Option<(Weight, u32)>,
}

impl Default for Page {
    fn default() -> Page {
        Page { content: Content::new(), fill: None, stroke: None, font: None }
    }
}

impl Page {
    fn fill(&mut self, colour: Rgb) {
        if self.fill != Some(colour) {
            self.fill = Some(colour);
            self.content.set_fill_rgb(colour.0, colour.1, colour.2);
        }
    }
}

/// The six capital letters a subset font's name starts with (ISO 32000 9.6.4), made from
/// the glyphs it holds, so the same subset is named the same.
fn subset_tag(used: &BTreeMap<u16, char>) -> String {
    let mut h: u32 = 2_166_136_261;
    for gid in used.keys() {
        for b in gid.to_be_bytes() {
            h = (h ^ u32::from(b)).wrapping_mul(16_777_619);
        }
    }
    (0..6)
        .map(|i| {
            let letter = (h >> (i * 5)) % 26;
            char::from(b'A' + letter as u8)
        })
        .collect()
}
