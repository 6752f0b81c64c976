//! Renderers: each output format is one file here and gets the finished
//! [`Report`]. Only `human` knows codespan-reporting.

pub mod human;
pub mod json;

use crate::engine::Report;
use std::io::{self, Write};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style diagnostics with source excerpts.
    Human,
    /// Versioned, stable JSON.
    Json,
}

/// Renders `report` in `format` to `out`.
pub fn render(report: &Report, format: Format, color: bool, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, color, out),
        Format::Json => json::render(report, out),
    }
}

/// 1-based column, in characters, as editors and SARIF count them.
pub fn column1(col: u32) -> u32 {
    col + 1
}

/// Byte offset of a (1-based line, 0-based char column) position.
pub fn byte_offset(text: &str, line: u32, col: u32) -> usize {
    let mut start = 0usize;
    for _ in 1..line.max(1) {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line_text = &text[start..];
    let line_end = line_text.find('\n').unwrap_or(line_text.len());
    let line_text = &line_text[..line_end];
    let within = line_text
        .char_indices()
        .nth(col as usize)
        .map_or(line_text.len(), |(b, _)| b);
    start + within
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_characters() {
        let t = "ab\r\n\u{e9}t\u{e9} x\n";
        assert_eq!(byte_offset(t, 1, 1), 1);
        assert_eq!(byte_offset(t, 2, 0), 4);
        assert_eq!(byte_offset(t, 2, 4), 4 + 6);
        assert_eq!(byte_offset(t, 9, 0), t.len());
    }
}
