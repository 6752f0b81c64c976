//! Renderers: each output format is one file here and gets the finished
//! [`Report`]. Only `human` knows codespan-reporting.

pub mod concise;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod schema;
pub mod statistics;

use crate::diagnostic::LineIndex;
use crate::report::Report;
use std::io::{self, Write};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style diagnostics with source excerpts.
    Human,
    /// One line a finding: `path:line:col: severity[rule] message`.
    Concise,
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
    /// The findings and nothing else (no summary line).
    pub quiet: bool,
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
        Format::Concise => concise::render(report, opts, out),
        Format::Json => json::render(report, opts, out),
        Format::Markdown => markdown::render(report, opts, out),
        Format::Github => github::render(report, opts, out),
        Format::Gitlab => gitlab::render(report, opts, out),
        Format::Sarif => sarif::render(report, opts, out),
    }
}

/// Lines `from..=to` (1-based) of an indexed text, without line endings.
/// Like `str::lines`, there is no empty line after a final `\n`.
pub fn excerpt<'a>(lines: &LineIndex<'a>, from: u32, to: u32) -> Vec<(u32, &'a str)> {
    let text = lines.text();
    let phantom = text.is_empty() || text.ends_with('\n');
    let last = lines.line_count() - usize::from(phantom);
    let to = to.min(u32::try_from(last).unwrap_or(u32::MAX));
    (from.max(1)..=to)
        .filter_map(|n| Some((n, lines.line(n)?.trim_end_matches('\r'))))
        .collect()
}

/// The project's repository (`repository` in Cargo.toml): SARIF's
/// `informationUri`, and where the rule docs are.
pub const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// The page of a rule's documentation (`rules/RULE.md` in the
/// repository; `tenant-lint explain RULE` prints the same text).
pub fn rule_doc_url(rule: &str) -> String {
    format!("{REPOSITORY}/blob/main/rules/{rule}.md")
}

/// 1-based column, in characters, as editors and SARIF count them.
pub fn column1(col: u32) -> u32 {
    col + 1
}

/// Byte offset of a (1-based line, 0-based char column) position, as
/// codespan-reporting wants it: line 0 is line 1, a line past the end is
/// the end of the text.
pub fn byte_offset(lines: &LineIndex<'_>, line: u32, col: u32) -> usize {
    lines.offset(line.max(1), col).unwrap_or(lines.text().len())
}

/// How a finding's query is reached, on one line (`None`: the rule does
/// not judge a query, or the line is in no function): the routes first,
/// then the calls from the entry point down to the query's function.
pub fn reach_line(f: &crate::diagnostic::Finding) -> Option<String> {
    use crate::diagnostic::ReachKind;
    // A workspace without entry points (a library): nothing to say.
    let r = f
        .reach
        .as_ref()
        .filter(|r| r.kind != ReachKind::Unknown || !r.path.is_empty())?;
    let via = (r.path.len() > 1).then(|| {
        r.path
            .iter()
            .map(|s| s.function.as_str())
            .collect::<Vec<_>>()
            .join(" -> ")
    });
    let via = via.map_or_else(String::new, |v| format!(", via {v}"));
    Some(match r.kind {
        ReachKind::Request => format!("reached from {}{via}", r.routes.join(", ")),
        ReachKind::Background => format!("{}{via}", r.reason),
        ReachKind::None => format!("not reached: {}", r.reason),
        ReachKind::Unknown => format!("reach unknown: {}{via}", r.reason),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_characters() {
        let t = "ab\r\n\u{e9}t\u{e9} x\n";
        let li = LineIndex::new(t);
        assert_eq!(byte_offset(&li, 1, 1), 1);
        assert_eq!(byte_offset(&li, 0, 1), 1);
        assert_eq!(byte_offset(&li, 2, 0), 4);
        assert_eq!(byte_offset(&li, 2, 4), 4 + 6);
        assert_eq!(byte_offset(&li, 9, 0), t.len());
    }

    #[test]
    fn excerpts_are_lines_as_str_lines_gives_them() {
        let t = "a\r\nb\n\nc\n";
        let li = LineIndex::new(t);
        assert_eq!(excerpt(&li, 0, 2), [(1, "a"), (2, "b")]);
        assert_eq!(excerpt(&li, 3, 9), [(3, ""), (4, "c")]);
        assert_eq!(excerpt(&LineIndex::new("x\ny"), 2, 3), [(2, "y")]);
        assert_eq!(excerpt(&LineIndex::new(""), 1, 1), []);
    }
}
