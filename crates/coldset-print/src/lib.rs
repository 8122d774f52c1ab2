//! coldset's printed output, made in the binary with no browser or other program: a
//! record (coldset-app `records::Record`) as a PDF that carries its CSV inside it
//! ([`render_pdf`], [`embedded_csv`]), and sheets of QR labels for common label stocks
//! ([`labels::render_labels`]). docs/adr/0005-pdf.md says why it is built this way.
//!
//! Everything here is a pure function of its arguments: no clock, no random numbers, no
//! file system, so the same input gives the same bytes.

mod attach;
mod doc;
mod font;
mod image;
pub mod labels;
mod record;

pub use attach::{embedded_csv, embedded_photos};
pub use labels::{render_labels, Label, Marking, Stock};
pub use record::render_pdf;

/// Paper sizes, in points (1/72 inch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Paper {
    /// 210 × 297 mm.
    A4,
    /// 8.5 × 11 inches.
    Letter,
}

impl Paper {
    pub fn parse(name: &str) -> Option<Paper> {
        match name.to_ascii_lowercase().as_str() {
            "a4" => Some(Paper::A4),
            "letter" | "us-letter" => Some(Paper::Letter),
            _ => None,
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Paper::A4 => "a4",
            Paper::Letter => "letter",
        }
    }

    /// Width and height in points.
    pub fn size(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.276, 841.89),
            Paper::Letter => (612.0, 792.0),
        }
    }
}

/// Why a PDF could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl From<String> for Error {
    fn from(e: String) -> Error {
        Error(e)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests;
