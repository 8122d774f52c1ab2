//! The CSV (and an incident pack's photos) a record's PDF carries, read back out without a
//! PDF parser.
//!
//! `render_pdf` writes the CSV as an embedded file (`/Subtype /text#2Fcsv`, beside the
//! photos it shows, `image/...`, stored as they are): ordinary PDF attachments (any reader
//! lists them; poppler's `pdfdetach` saves them), each in a stream object whose dictionary
//! is `/Type /EmbeddedFile` with a direct `/Length` (and `/FlateDecode` for the CSV). Every
//! other stream of the PDF is compressed, so those words appear in the file only there. This finds that object, takes `/Length` bytes after its `stream` keyword and
//! inflates them. A PDF that another program rewrote (object streams, an incremental
//! update) may hide it: then this says so, and nothing is guessed.

/// The largest file taken out (a year's weapon register is a few megabytes).
const MAX_CSV: usize = 256 * 1024 * 1024;

/// The embedded CSV of a PDF made by [`crate::render_pdf`].
pub fn embedded_csv(pdf: &[u8]) -> Result<Vec<u8>, String> {
    let mut found: Vec<Vec<u8>> =
        embedded_files(pdf)?.into_iter().filter(|(t, _)| t == "text/csv").map(|(_, bytes)| bytes).collect();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err("this PDF carries no CSV: was it made by coldset? (coldset's record PDFs have it attached)".into()),
        n => Err(format!("this PDF carries {n} CSV files, coldset's record PDFs one")),
    }
}

/// The photos a record's PDF carries (an incident pack's), each with its media type, as
/// the files the log's hashes name; `coldset verify --record` hashes them.
pub fn embedded_photos(pdf: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    Ok(embedded_files(pdf)?.into_iter().filter(|(t, _)| t.starts_with("image/")).collect())
}

/// Every embedded file's media type (its `/Subtype`) and data.
fn embedded_files(pdf: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    if !pdf.starts_with(b"%PDF-") {
        return Err("not a PDF file".into());
    }
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = find(&pdf[from..], b"/EmbeddedFile").map(|i| i + from) {
        from = at + 1;
        let after = pdf.get(at + 13).copied().unwrap_or(b' ');
        if is_regular(after) {
            continue; // /EmbeddedFiles, the name tree of the catalog
        }
        let before = trim_end(&pdf[..at]);
        if !before.ends_with(b"/Type") {
            continue;
        }
        found.push(stream_at(pdf, at)?);
    }
    Ok(found)
}

/// The name after `/Subtype` in a dictionary's text, `#xx` escapes decoded.
fn subtype(dict: &[u8]) -> String {
    let Some(at) = find(dict, b"/Subtype") else { return String::new() };
    let rest = trim_start(&dict[at + b"/Subtype".len()..]);
    let Some(name) = rest.strip_prefix(b"/") else { return String::new() };
    let token: Vec<u8> = name.iter().copied().take_while(|b| is_regular(*b)).collect();
    let mut out = Vec::with_capacity(token.len());
    let mut i = 0;
    while i < token.len() {
        let hex = token.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (token[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'#', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn is_regular(b: u8) -> bool {
    !b.is_ascii_whitespace() && !b"()<>[]{}/%".contains(&b)
}

fn trim_end(b: &[u8]) -> &[u8] {
    let end = b.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(0, |i| i + 1);
    &b[..end]
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The media type and decoded data of the stream object whose dictionary holds position
/// `at`.
fn stream_at(pdf: &[u8], at: usize) -> Result<(String, Vec<u8>), String> {
    let start = rfind(&pdf[..at], b" obj").ok_or("an embedded file outside any object")?;
    let keyword = find(&pdf[at..], b"stream").map(|i| i + at).ok_or("an embedded file without its data")?;
    let dict = &pdf[start..keyword];
    let length = value_after(dict, b"/Length").ok_or("an embedded file without a direct /Length")?;
    let mut data_start = keyword + b"stream".len();
    if pdf.get(data_start) == Some(&b'\r') {
        data_start += 1;
    }
    if pdf.get(data_start) == Some(&b'\n') {
        data_start += 1;
    }
    let data_end = data_start.checked_add(length).ok_or("the embedded file's length is not a length")?;
    let data = pdf.get(data_start..data_end).ok_or("the embedded file is cut short")?;
    if !trim_start(&pdf[data_end..]).starts_with(b"endstream") {
        return Err("the embedded file's length does not match its data".into());
    }
    let bytes = if find(dict, b"/FlateDecode").is_some() {
        let limit = value_after(dict, b"/Size").unwrap_or(MAX_CSV).min(MAX_CSV);
        miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(data, limit)
            .map_err(|e| format!("the embedded file does not unpack: {:?}", e.status))?
    } else if find(dict, b"/Filter").is_some() {
        return Err("the embedded file is packed in a way coldset does not write".into());
    } else {
        data.to_vec()
    };
    Ok((subtype(dict), bytes))
}

fn trim_start(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    &b[start..]
}

/// The non-negative integer following `key` (a whole name) in a dictionary's text.
fn value_after(dict: &[u8], key: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = find(&dict[from..], key).map(|i| i + from) {
        from = i + 1;
        if dict.get(i + key.len()).copied().is_some_and(is_regular) {
            continue;
        }
        let rest = trim_start(&dict[i + key.len()..]);
        let digits: Vec<u8> = rest.iter().copied().take_while(u8::is_ascii_digit).collect();
        // An indirect length (`12 0 R`) is not what coldset writes.
        let after = trim_start(&rest[digits.len()..]);
        if digits.is_empty() || after.first().is_some_and(u8::is_ascii_digit) {
            return None;
        }
        return std::str::from_utf8(&digits).ok()?.parse().ok();
    }
    None
}
