//! Renderers: each output format is one file here and gets the finished
//! [`Report`]. Only `human` knows codespan-reporting.

pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;

use crate::engine::Report;
use std::io::{self, Write};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style diagnostics with source excerpts.
    Human,
    /// Versioned, stable JSON.
    Json,
    /// A review report for a pull-request comment or CI job summary.
    Markdown,
    /// GitHub Actions workflow commands (pull-request annotations).
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
}

/// How to render.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// ANSI colour (human only).
    pub color: bool,
    /// Also list suppressed findings.
    pub show_suppressed: bool,
}

/// Renders `report` in `format` to `out`.
pub fn render(
    report: &Report,
    format: Format,
    opts: Options,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, opts, out),
        Format::Json => json::render(report, opts, out),
        Format::Markdown => markdown::render(report, opts, out),
        Format::Github => github::render(report, opts, out),
        Format::Gitlab => gitlab::render(report, opts, out),
        Format::Sarif => sarif::render(report, opts, out),
    }
}

/// Lines `from..=to` (1-based) of a text.
pub fn excerpt(text: &str, from: u32, to: u32) -> Vec<(u32, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i as u32 + 1, l.trim_end_matches('\r')))
        .filter(|(n, _)| (from..=to).contains(n))
        .collect()
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
