//! `--format gitlab`: a GitLab Code Quality report (a JSON array), shown in
//! merge requests when uploaded as `artifacts:reports:codequality`.

use crate::config::Level;
use crate::render::Options;
use crate::report::Report;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: &'a str,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
}

/// Writes the report.
pub fn render(report: &Report, _opts: Options, out: &mut dyn Write) -> io::Result<()> {
    let issues: Vec<Issue> = report
        .findings
        .iter()
        .map(|f| Issue {
            description: format!("{} ({})", f.message, f.rule),
            check_name: f.rule,
            fingerprint: &f.fingerprint,
            // A leak is a security issue: critical; warnings are hygiene.
            severity: match f.level {
                Level::Error => "critical",
                _ => "minor",
            },
            location: Location {
                path: &report.files[f.file].rel,
                lines: Lines {
                    begin: f.span.start.line,
                },
            },
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues).map_err(io::Error::from)?;
    writeln!(out)
}
