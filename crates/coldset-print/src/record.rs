//! A record as a PDF: its title, the checkpoint it was made from, each table with its
//! header repeated on every page it runs onto, its photos, "page N of M", and on every page
//! a QR code of the record's verification address; its CSV rides along as an attachment.

use crate::doc::{Attachment, Doc, Rgb, BLACK};
use crate::font::Weight::{self, Bold, Regular};
use crate::{Error, Paper};
use coldset_app::records::{Record, Table};

const MARGIN: f32 = 36.0;
const QR: f32 = 64.0;
/// Room kept at the bottom of every page for its footer.
const FOOTER: f32 = 22.0;
const TEXT: Rgb = Rgb(0.08, 0.08, 0.08);
const GREY: Rgb = Rgb(0.35, 0.35, 0.35);
const RULE: Rgb = Rgb(0.7, 0.7, 0.7);
const HEADER_FILL: Rgb = Rgb(0.86, 0.88, 0.91);
const STRIPE: Rgb = Rgb(0.955, 0.96, 0.97);

const CELL_SIZE: f32 = 7.5;
const CELL_LEADING: f32 = 9.0;
const PAD_X: f32 = 2.5;
const PAD_Y: f32 = 2.5;
/// The share of a table's width given to its events column.
const EVENTS_SHARE: f32 = 0.11;

/// More columns than this in a table, and the record is printed in landscape.
const LANDSCAPE_FROM_COLUMNS: usize = 8;

/// The record laid out on `paper`, with `embedded_csv` (the record's CSV) attached as
/// `<kind>.csv`. The same arguments give the same bytes.
pub fn render_pdf(record: &Record, paper: Paper, embedded_csv: &[u8]) -> Result<Vec<u8>, Error> {
    let (w, h) = paper.size();
    // A record with a table of many columns (a register) is printed across the long side
    // of the paper, so that its words and serials are not cut in the middle.
    let (w, h) = if record.tables.iter().any(|t| t.columns.len() > LANDSCAPE_FROM_COLUMNS) { (h, w) } else { (w, h) };
    let mut l = Layout { doc: Doc::new(w, h), record, page: 0, y: 0.0 };
    l.first_page()?;
    for table in &record.tables {
        l.table(table)?;
    }
    if !record.photos.is_empty() {
        l.photos()?;
    }
    l.footers();
    let title = format!("{} — {} — {}", record.kind.title(), record.production_name, record.scope);
    let file = format!("{}.csv", record.kind.slug());
    let description = format!(
        "The record's rows as CSV, made from checkpoint {} of {}: check it with coldset verify --record",
        record.checkpoint.size, record.checkpoint.origin
    );
    // The photos ride along too, as the files the log's hashes name, so `coldset verify
    // --record` can check them against the rows and lay the pages out again.
    let photo_names: Vec<(String, String)> = record
        .photos
        .iter()
        .map(|p| (photo_file_name(&p.sha256, &p.media_type), format!("Photo, SHA-256 {}", p.sha256)))
        .collect();
    let mut attachments =
        vec![Attachment { name: &file, description: &description, media_type: "text/csv", bytes: embedded_csv }];
    for (photo, (name, description)) in record.photos.iter().zip(&photo_names) {
        attachments.push(Attachment { name, description, media_type: &photo.media_type, bytes: &photo.bytes });
    }
    Ok(l.doc.finish(&title, &attachments)?)
}

/// A photo's name among a PDF's attachments: `photo-<first 16 hex digits of its hash>.jpg`.
fn photo_file_name(sha256: &str, media_type: &str) -> String {
    let ext = match media_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        _ => "bin",
    };
    format!("photo-{}.{ext}", &sha256[..sha256.len().min(16)])
}

/// Greedy word wrap of `text` to `max` points; a word longer than a line is cut where it
/// must be. Line breaks in the text are kept.
pub(crate) fn wrap(doc: &Doc, weight: Weight, size: f32, text: &str, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let space = doc.width_of(weight, size, " ");
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut width = 0.0;
        for word in paragraph.split_whitespace() {
            let ww = doc.width_of(weight, size, word);
            if !line.is_empty() && width + space + ww <= max {
                line.push(' ');
                line.push_str(word);
                width += space + ww;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if ww <= max {
                line.push_str(word);
                width = ww;
                continue;
            }
            // A word wider than the line: as many characters as fit on each line.
            width = 0.0;
            for c in word.chars() {
                let cw = doc.width_of(weight, size, c.encode_utf8(&mut [0; 4]));
                if width + cw > max && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    width = 0.0;
                }
                line.push(c);
                width += cw;
            }
        }
        lines.push(line);
    }
    lines
}

/// The widest a column is made to keep its longest word whole (a share of the table).
const MAX_WORD_SHARE: f32 = 0.3;

/// The columns' widths (the events column last), summing to `width`: each column's share
/// of it, then widened where its longest word (or its heading's) would not fit whole, taken
/// from the columns with room to spare, so a narrow column ("Kind", "Events") does not
/// break "Winchester" in two while its neighbour has space. A word wider than
/// [`MAX_WORD_SHARE`] of the table (a signature in base64) is still broken.
pub(crate) fn column_widths(doc: &Doc, table: &Table, width: f32) -> Vec<f32> {
    let total: f32 = table.columns.iter().map(|c| f32::from(c.width.max(1))).sum::<f32>().max(1.0);
    let share = width * (1.0 - EVENTS_SHARE);
    let mut widths: Vec<f32> = table.columns.iter().map(|c| share * f32::from(c.width.max(1)) / total).collect();
    widths.push(width - share);
    let longest = |weight: Weight, text: &str, acc: &mut f32| {
        for word in text.split_whitespace() {
            *acc = acc.max(doc.width_of(weight, CELL_SIZE, word));
        }
    };
    let mut need = vec![0.0f32; widths.len()];
    for (i, c) in table.columns.iter().enumerate() {
        longest(Bold, &c.label, &mut need[i]);
    }
    if let Some(last) = need.last_mut() {
        longest(Bold, "Events", last);
    }
    let events_col = widths.len() - 1;
    for row in &table.rows {
        for (i, cell) in row.cells.iter().enumerate().take(events_col) {
            longest(Regular, cell, &mut need[i]);
        }
        if let Some(last) = row.events.last() {
            // The widest number is the last (ascending), with its comma.
            need[events_col] = need[events_col].max(doc.width_of(Regular, CELL_SIZE, &format!("{last},")));
        }
    }
    let need: Vec<f32> = need.iter().map(|n| (n + 2.0 * PAD_X).min(width * MAX_WORD_SHARE)).collect();
    let deficit: f32 = widths.iter().zip(&need).map(|(w, n)| (n - w).max(0.0)).sum();
    let slack: f32 = widths.iter().zip(&need).map(|(w, n)| (w - n).max(0.0)).sum();
    if deficit <= 0.0 || slack <= 0.0 {
        return widths;
    }
    // Give what the slack allows, in proportion on both sides: the sum stays `width`.
    let moved = deficit.min(slack);
    for (w, n) in widths.iter_mut().zip(&need) {
        if *n > *w {
            *w += (*n - *w) * moved / deficit;
        } else {
            *w -= (*w - *n) * moved / slack;
        }
    }
    widths
}

struct Layout<'a> {
    doc: Doc,
    record: &'a Record,
    page: usize,
    /// The top of the free space on the current page (points from the bottom).
    y: f32,
}

impl Layout<'_> {
    fn left(&self) -> f32 {
        MARGIN
    }

    fn content_width(&self) -> f32 {
        self.doc.width - 2.0 * MARGIN
    }

    fn bottom(&self) -> f32 {
        MARGIN + FOOTER
    }

    /// The QR code and its caption at the top right of the current page; returns the
    /// width left beside it for the page's heading.
    fn qr(&mut self) -> Result<f32, Error> {
        let x = self.doc.width - MARGIN - QR;
        let top = self.doc.height - MARGIN;
        self.doc.qr(self.page, x, top - QR, QR, &self.record.verify_url)?;
        let caption = "Scan to verify";
        let cw = self.doc.width_of(Regular, 6.5, caption);
        self.doc.text(self.page, (x + (QR - cw) / 2.0, top - QR - 7.0), (Regular, 6.5), GREY, caption);
        Ok(self.content_width() - QR - 12.0)
    }

    /// Lines of text at the cursor, wrapped to `max`.
    fn para(&mut self, weight: Weight, size: f32, colour: Rgb, text: &str, max: f32) {
        for line in wrap(&self.doc, weight, size, text, max) {
            self.y -= size * 1.25;
            let x = self.left();
            self.doc.text(self.page, (x, self.y), (weight, size), colour, &line);
        }
    }

    fn checkpoint_line(&self) -> String {
        let c = &self.record.checkpoint;
        format!("Checkpoint: log size {}, root hash {}, key {}", c.size, c.root, c.key)
    }

    fn first_page(&mut self) -> Result<(), Error> {
        self.page = self.doc.page();
        self.y = self.doc.height - MARGIN;
        let beside = self.qr()?;
        let r = self.record;
        self.y += 2.0;
        self.para(Bold, 16.0, BLACK, r.kind.title(), beside);
        self.y -= 3.0;
        self.para(Bold, 10.5, TEXT, &r.production_name, beside);
        self.para(Regular, 10.5, TEXT, &r.scope, beside);
        self.y -= 3.0;
        let checkpoint = self.checkpoint_line();
        self.para(Regular, 7.5, TEXT, &checkpoint, beside);
        let zone = format!("Times are in {}. Made at {}.", r.time_zone, r.made_at);
        self.para(Regular, 7.5, TEXT, &zone, beside);
        self.y = self.y.min(self.doc.height - MARGIN - QR - 12.0) - 10.0;
        Ok(())
    }

    /// A new page with the record's running head; the cursor under it.
    fn next_page(&mut self) -> Result<(), Error> {
        self.page = self.doc.page();
        self.y = self.doc.height - MARGIN;
        let beside = self.qr()?;
        let r = self.record;
        let head = format!("{} — {} — {}", r.kind.title(), r.production_name, r.scope);
        self.y += 2.0;
        self.para(Bold, 9.0, TEXT, &head, beside);
        let checkpoint = self.checkpoint_line();
        self.para(Regular, 7.0, GREY, &checkpoint, beside);
        self.y = self.y.min(self.doc.height - MARGIN - QR - 12.0) - 8.0;
        Ok(())
    }

    fn table(&mut self, table: &Table) -> Result<(), Error> {
        let width = self.content_width();
        let widths = column_widths(&self.doc, table, width);
        let mut labels: Vec<&str> = table.columns.iter().map(|c| c.label.as_str()).collect();
        labels.push("Events");
        let header: Vec<Vec<String>> = labels
            .iter()
            .zip(&widths)
            .map(|(label, w)| wrap(&self.doc, Bold, CELL_SIZE, label, w - 2.0 * PAD_X))
            .collect();
        let header_height = height_of(&header);

        // The title and the header with at least one row's room, else on the next page.
        if self.y - 18.0 - header_height - (CELL_LEADING + 2.0 * PAD_Y) < self.bottom() {
            self.next_page()?;
        }
        self.y -= 4.0;
        self.para(Bold, 11.0, BLACK, &table.title, width);
        self.y -= 4.0;
        self.header_row(&header, &widths, header_height);
        if table.rows.is_empty() {
            self.y -= CELL_LEADING + 4.0;
            let x = self.left() + PAD_X;
            self.doc.text(self.page, (x, self.y), (Regular, CELL_SIZE), GREY, "No rows.");
            self.y -= 6.0;
            return Ok(());
        }
        for (n, row) in table.rows.iter().enumerate() {
            let events = row.events.iter().map(u64::to_string).collect::<Vec<_>>().join(", ");
            let cells: Vec<Vec<String>> = (0..widths.len())
                .map(|i| {
                    let text = if i + 1 == widths.len() {
                        events.as_str()
                    } else {
                        row.cells.get(i).map_or("", String::as_str)
                    };
                    wrap(&self.doc, Regular, CELL_SIZE, text, widths[i] - 2.0 * PAD_X)
                })
                .collect();
            let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let mut from = 0;
            while from < lines {
                // As many of the row's lines as fit; a row taller than a page goes on over.
                let room = ((self.y - self.bottom() - 2.0 * PAD_Y) / CELL_LEADING).floor().max(0.0) as usize;
                if room == 0 || (from == 0 && room < lines && lines <= self.page_rows(header_height)) {
                    self.next_page()?;
                    let title = format!("{} (continued)", table.title);
                    self.para(Bold, 9.0, BLACK, &title, width);
                    self.y -= 3.0;
                    self.header_row(&header, &widths, header_height);
                    continue;
                }
                let to = lines.min(from + room);
                let h = (to - from) as f32 * CELL_LEADING + 2.0 * PAD_Y;
                let top = self.y;
                if n % 2 == 1 {
                    self.doc.rect(self.page, self.left(), top - h, width, h, STRIPE);
                }
                let mut x = self.left();
                for (cell, w) in cells.iter().zip(&widths) {
                    for (k, line) in cell.iter().enumerate().take(to).skip(from) {
                        let baseline = top - PAD_Y - (k - from) as f32 * CELL_LEADING - CELL_SIZE;
                        self.doc.text(self.page, (x + PAD_X, baseline), (Regular, CELL_SIZE), TEXT, line);
                    }
                    x += w;
                }
                self.y = top - h;
                let (l, r) = (self.left(), self.left() + width);
                self.doc.line(self.page, (l, self.y), (r, self.y), 0.3, RULE);
                from = to;
            }
        }
        self.y -= 10.0;
        Ok(())
    }

    /// How many lines of rows a fresh page holds under its head and a table's header.
    fn page_rows(&self, header_height: f32) -> usize {
        let free = self.doc.height - 2.0 * MARGIN - QR - 34.0 - FOOTER - header_height - 2.0 * PAD_Y;
        (free / CELL_LEADING).floor().max(1.0) as usize
    }

    fn header_row(&mut self, header: &[Vec<String>], widths: &[f32], h: f32) {
        let top = self.y;
        let width = self.content_width();
        self.doc.rect(self.page, self.left(), top - h, width, h, HEADER_FILL);
        let mut x = self.left();
        for (cell, w) in header.iter().zip(widths) {
            for (k, line) in cell.iter().enumerate() {
                let baseline = top - PAD_Y - k as f32 * CELL_LEADING - CELL_SIZE;
                self.doc.text(self.page, (x + PAD_X, baseline), (Bold, CELL_SIZE), BLACK, line);
            }
            x += w;
        }
        self.y = top - h;
    }

    fn photos(&mut self) -> Result<(), Error> {
        let width = self.content_width();
        if self.y - 60.0 < self.bottom() {
            self.next_page()?;
        }
        self.y -= 4.0;
        self.para(Bold, 11.0, BLACK, "Photos", width);
        self.y -= 4.0;
        for photo in &self.record.photos {
            let hash = format!("SHA-256 {}", photo.sha256);
            let caption = wrap(&self.doc, Regular, 8.5, &photo.caption, width);
            let text_h = caption.len() as f32 * 10.5 + 12.0;
            match self.doc.add_image(&photo.bytes, &photo.media_type) {
                Ok((index, pw, ph)) => {
                    let max_w = width * 0.7;
                    let max_h = 260.0;
                    let scale = (max_w / pw as f32).min(max_h / ph as f32);
                    let (w, h) = (pw as f32 * scale, ph as f32 * scale);
                    if self.y - h - text_h - 6.0 < self.bottom() {
                        self.next_page()?;
                    }
                    self.y -= h;
                    let x = self.left();
                    self.doc.image(self.page, index, x, self.y, w, h);
                    self.doc.line(self.page, (x, self.y), (x + w, self.y), 0.3, RULE);
                }
                Err(why) => {
                    if self.y - text_h - 16.0 < self.bottom() {
                        self.next_page()?;
                    }
                    let note = format!("(The photo cannot be shown here: {why}.)");
                    self.para(Regular, 8.0, GREY, &note, width);
                }
            }
            self.y -= 2.0;
            for line in caption {
                self.y -= 10.5;
                let x = self.left();
                self.doc.text(self.page, (x, self.y), (Regular, 8.5), TEXT, &line);
            }
            self.para(Regular, 7.0, GREY, &hash, width);
            self.y -= 12.0;
        }
        Ok(())
    }

    /// Every page's footer: the verification address and "page N of M".
    fn footers(&mut self) {
        let pages = self.doc.page_count();
        let url = format!("Verify this record: {}", self.record.verify_url);
        let url = wrap(&self.doc, Regular, 6.5, &url, self.content_width() - 80.0);
        for page in 0..pages {
            let y = MARGIN;
            let (l, r) = (MARGIN, self.doc.width - MARGIN);
            self.doc.line(page, (l, y + 12.0), (r, y + 12.0), 0.4, RULE);
            for (k, line) in url.iter().enumerate().take(2) {
                self.doc.text(page, (l, y + 3.0 - k as f32 * 7.5), (Regular, 6.5), GREY, line);
            }
            let label = format!("page {} of {}", page + 1, pages);
            let lw = self.doc.width_of(Regular, 8.0, &label);
            self.doc.text(page, (r - lw, y + 3.0), (Regular, 8.0), TEXT, &label);
        }
    }
}

fn height_of(cells: &[Vec<String>]) -> f32 {
    cells.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * CELL_LEADING + 2.0 * PAD_Y
}
