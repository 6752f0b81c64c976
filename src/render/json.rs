//! `--format json`: `{"version":1,"findings":[..],"errors":[..]}`, stable
//! and versioned. `file` is relative to the repository root (the project
//! root outside git) with `/` separators, whatever the current directory
//! and the paths named; lines and columns are 1-based, columns in
//! characters. `config` names the configuration file used.

use crate::render::column1;
use crate::report::Report;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Out<'a> {
    version: u32,
    findings: Vec<JFinding<'a>>,
    errors: Vec<JError>,
    /// Files discovered = analysed + failed + skipped.
    summary: JSummary,
    /// Every configured cross-tenant call (`superuser-access`).
    audit: &'a [crate::report::AuditEntry],
    /// The configuration file used, relative to the repository root
    /// (`null`: none, the defaults).
    config: Option<&'a str>,
    /// With `--since`: findings left out as not on a changed line.
    #[serde(skip_serializing_if = "Option::is_none")]
    since_hidden: Option<usize>,
    /// With `--show-suppressed`: the silenced findings and their reasons.
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<Vec<JSuppressed<'a>>>,
}

#[derive(Serialize)]
struct JSuppressed<'a> {
    #[serde(flatten)]
    finding: JFinding<'a>,
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct JFinding<'a> {
    rule: &'a str,
    severity: &'static str,
    #[serde(flatten)]
    place: JPlace<'a>,
    message: &'a str,
    fingerprint: &'a str,
    /// How the query is reached (rules that judge queries only).
    #[serde(skip_serializing_if = "Option::is_none")]
    reach: Option<JReach<'a>>,
    /// The places the human output marks: the primary one first (where
    /// the finding is), then the others (where the query starts, where the
    /// tenant column is declared).
    labels: Vec<JLabel<'a>>,
    /// What the human output prints as `= note:`.
    notes: &'a [String],
    /// What to do about it (`null`: nothing to suggest).
    help: Option<&'a str>,
    /// The rule's documentation: `tenant-lint explain RULE`, or this page.
    doc: String,
    /// The edit `--fix` makes, when it is certain: insert `insert` at
    /// `line`:`column` of `file`.
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<JFix<'a>>,
}

#[derive(Serialize)]
struct JFix<'a> {
    message: &'a str,
    file: &'a str,
    line: u32,
    column: u32,
    insert: String,
}

/// Where a finding or a label is: 1-based lines and columns.
#[derive(Serialize)]
struct JPlace<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
}

/// A marked place.
#[derive(Serialize)]
struct JLabel<'a> {
    #[serde(flatten)]
    place: JPlace<'a>,
    message: &'a str,
    primary: bool,
}

/// `reach`: `kind` is `request`, `background`, `none` or `unknown`;
/// `routes` the routes that lead to the query (`DELETE /{org}/jobs/{id}`);
/// `path` the calls from one entry point down to the query's function.
#[derive(Serialize)]
struct JReach<'a> {
    kind: &'static str,
    routes: &'a [String],
    path: Vec<JStep<'a>>,
    reason: &'a str,
}

#[derive(Serialize)]
struct JStep<'a> {
    function: &'a str,
    file: &'a str,
    line: u32,
}

#[derive(Serialize)]
struct JSummary {
    discovered: usize,
    analysed: usize,
    failed: usize,
    skipped: usize,
}

#[derive(Serialize)]
struct JError {
    path: Option<String>,
    message: String,
}

/// The end of a span, or its start when it has none.
fn end_of(span: &crate::diagnostic::Span) -> crate::diagnostic::Pos {
    if span.end.line == 0 {
        span.start
    } else {
        span.end
    }
}

fn place<'a>(report: &'a Report, file: usize, span: &crate::diagnostic::Span) -> JPlace<'a> {
    let end = end_of(span);
    JPlace {
        file: &report.files[file].rel,
        line: span.start.line,
        column: column1(span.start.col),
        end_line: end.line,
        end_column: column1(end.col),
    }
}

fn label<'a>(
    report: &'a Report,
    file: usize,
    span: &crate::diagnostic::Span,
    message: &'a str,
    primary: bool,
) -> JLabel<'a> {
    JLabel {
        place: place(report, file, span),
        message,
        primary,
    }
}

fn finding<'a>(report: &'a Report, f: &'a crate::diagnostic::Finding) -> JFinding<'a> {
    let labels = std::iter::once(label(report, f.file, &f.span, &f.primary_label, true))
        .chain(
            f.labels
                .iter()
                .map(|l| label(report, l.file, &l.span, &l.message, false)),
        )
        .collect();
    JFinding {
        rule: f.rule,
        severity: severity(f.level),
        place: place(report, f.file, &f.span),
        message: &f.message,
        fingerprint: &f.fingerprint,
        reach: f.reach.as_ref().map(|r| JReach {
            kind: r.kind.as_str(),
            routes: &r.routes,
            path: r
                .path
                .iter()
                .map(|s| JStep {
                    function: &s.function,
                    file: &report.files[s.file].rel,
                    line: s.line,
                })
                .collect(),
            reason: &r.reason,
        }),
        labels,
        notes: &f.notes,
        help: f.help.as_deref(),
        doc: crate::render::rule_doc_url(f.rule),
        fix: f.fix.as_ref().and_then(|fix| {
            let entry = &report.files[fix.file];
            let (at, insert) = crate::fix::placed(entry.text.as_deref()?, fix)?;
            Some(JFix {
                message: &fix.message,
                file: &entry.rel,
                line: at.line,
                column: column1(at.col),
                insert,
            })
        }),
    }
}

/// Writes the report as one JSON document.
pub fn render(
    report: &Report,
    opts: crate::render::Options,
    out: &mut dyn Write,
) -> io::Result<()> {
    let doc = Out {
        version: 1,
        findings: report.findings.iter().map(|f| finding(report, f)).collect(),
        summary: JSummary {
            discovered: report.stats.discovered,
            analysed: report.stats.analysed,
            failed: report.stats.failed,
            skipped: report.stats.skipped,
        },
        audit: &report.audit,
        config: report.config.as_ref().map(|c| c.rel.as_str()),
        since_hidden: report.since_hidden,
        suppressed: opts.show_suppressed.then(|| {
            report
                .suppressed_findings
                .iter()
                .map(|(f, r)| JSuppressed {
                    finding: finding(report, f),
                    reason: r.as_deref(),
                })
                .collect()
        }),
        errors: report
            .errors
            .iter()
            .map(|e| JError {
                path: e.path.as_ref().map(|p| p.display().to_string()),
                message: e.message.clone(),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    writeln!(out)
}

/// Severity name used in every format.
pub fn severity(l: crate::config::Level) -> &'static str {
    match l {
        crate::config::Level::Error => "error",
        crate::config::Level::Warn => "warning",
        crate::config::Level::Off => "off",
    }
}
