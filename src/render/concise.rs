//! `--format concise`: one line a finding, `path:line:col: severity[rule]
//! message`, as `rustc --error-format=short` and ruff's concise output
//! print them, for CI logs, editors' problem matchers and `grep`; then the
//! summary line of the human output.

use crate::render::{column1, json::severity, Options};
use crate::report::Report;
use std::io::{self, Write};

/// Writes one line per finding (and per suppressed finding when asked),
/// then the summary unless quiet.
pub fn render(report: &Report, opts: Options, out: &mut dyn Write) -> io::Result<()> {
    for f in &report.findings {
        writeln!(out, "{}", line(report, f, ""))?;
    }
    if opts.show_suppressed {
        for (f, reason) in &report.suppressed_findings {
            let why = reason.as_deref().unwrap_or("(no reason given)");
            let prefix = format!("suppressed ({why}): ");
            writeln!(out, "{}", line(report, f, &prefix))?;
        }
    }
    if opts.quiet {
        return Ok(());
    }
    writeln!(out, "{}", crate::render::human::summary(report))
}

/// `src/a.rs:12:5: error[unscoped-query] message`; a multi-line message is
/// folded onto the line.
fn line(report: &Report, f: &crate::diagnostic::Finding, prefix: &str) -> String {
    let message = f.message.split_whitespace().collect::<Vec<_>>().join(" ");
    format!(
        "{}:{}:{}: {}[{}] {prefix}{message}",
        report.files[f.file].shown,
        f.span.start.line.max(1),
        column1(f.span.start.col),
        severity(f.level),
        f.rule,
    )
}
