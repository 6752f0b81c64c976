//! `--format human`: rustc-style diagnostics through codespan-reporting,
//! the primary label on the executing call, secondary labels on the query's
//! start and on the tenant column's declaration, then a one-line summary.

use crate::config::Level;
use crate::diagnostic::{Finding, LineIndex};
use crate::render::byte_offset;
use crate::report::Report;
use codespan_reporting::diagnostic::{Diagnostic, Label, Severity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor};
use std::collections::HashMap;
use std::io::{self, Write};

struct Sink<'a>(&'a mut dyn Write);

impl io::Write for Sink<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Writes diagnostics and the summary.
pub fn render(
    report: &Report,
    opts: crate::render::Options,
    out: &mut dyn Write,
) -> io::Result<()> {
    let color = opts.color;
    let mut files = SimpleFiles::new();
    let mut ids: HashMap<usize, usize> = HashMap::new();
    let shown = report.findings.iter().chain(
        report
            .suppressed_findings
            .iter()
            .filter(|_| opts.show_suppressed)
            .map(|(f, _)| f),
    );
    for f in shown {
        for id in std::iter::once(f.file).chain(f.labels.iter().map(|l| l.file)) {
            if let std::collections::hash_map::Entry::Vacant(e) = ids.entry(id) {
                let entry = &report.files[id];
                let text = entry.text.clone().unwrap_or_default();
                e.insert(files.add(entry.shown.clone(), text));
            }
        }
    }
    // One line index per file shown, for the byte ranges codespan wants.
    let lines: HashMap<usize, LineIndex<'_>> = ids
        .keys()
        .filter_map(|id| Some((*id, LineIndex::new(report.files[*id].text.as_deref()?))))
        .collect();
    let config = term::Config::default();
    {
        let mut sink = Sink(out);
        let mut writer: Box<dyn termcolor::WriteColor> = if color {
            Box::new(termcolor::Ansi::new(&mut sink))
        } else {
            Box::new(termcolor::NoColor::new(&mut sink))
        };
        let suppressed: Vec<&(Finding, Option<String>)> = if opts.show_suppressed {
            report.suppressed_findings.iter().collect()
        } else {
            Vec::new()
        };
        let mut explained: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for f in &report.findings {
            let mut d = diagnostic(f, &lines, &ids);
            // Where the rule is explained, once per rule, as rustc says
            // where a lint comes from at its first warning.
            if explained.insert(f.rule) {
                d.notes
                    .push(format!("see: `tenant-lint explain {}`", f.rule));
            }
            term::emit(&mut writer, &config, &files, &d).map_err(|e| match e {
                codespan_reporting::files::Error::Io(io) => io,
                other => io::Error::other(other.to_string()),
            })?;
        }
        for (f, reason) in suppressed {
            let mut d = diagnostic(f, &lines, &ids);
            d.severity = Severity::Note;
            d.message = format!("suppressed: {}", f.message);
            d.notes.push(format!(
                "allowed because: {}",
                reason.as_deref().unwrap_or("(no reason given)")
            ));
            term::emit(&mut writer, &config, &files, &d).map_err(|e| match e {
                codespan_reporting::files::Error::Io(io) => io,
                other => io::Error::other(other.to_string()),
            })?;
        }
    }
    if opts.quiet {
        return Ok(());
    }
    if !report.audit.is_empty() {
        let count = |s: &str| report.audit.iter().filter(|a| a.status == s).count();
        writeln!(
            out,
            "cross-tenant calls: {} ({} flagged, {} allowed by path, {} justified)",
            report.audit.len(),
            count("flagged"),
            count("allowed-path"),
            count("justified")
        )?;
    }
    writeln!(out, "{}", summary(report))
}

type Lines<'a> = HashMap<usize, LineIndex<'a>>;

fn range(lines: &Lines<'_>, file: usize, f: &crate::diagnostic::Span) -> std::ops::Range<usize> {
    let Some(lines) = lines.get(&file) else {
        return 0..0;
    };
    let start = byte_offset(lines, f.start.line, f.start.col);
    let end = if f.end.line == 0 || f.end < f.start {
        start
    } else {
        byte_offset(lines, f.end.line, f.end.col)
    };
    start..end.max(start)
}

fn diagnostic(f: &Finding, lines: &Lines<'_>, ids: &HashMap<usize, usize>) -> Diagnostic<usize> {
    let severity = match f.level {
        Level::Error => Severity::Error,
        _ => Severity::Warning,
    };
    let mut labels =
        vec![Label::primary(ids[&f.file], range(lines, f.file, &f.span))
            .with_message(&f.primary_label)];
    for l in &f.labels {
        labels.push(
            Label::secondary(ids[&l.file], range(lines, l.file, &l.span)).with_message(&l.message),
        );
    }
    let mut notes: Vec<String> = crate::render::reach_line(f)
        .map(|r| format!("reach: {r}"))
        .into_iter()
        .chain(f.notes.iter().map(|n| format!("note: {n}")))
        .collect();
    if let Some(h) = &f.help {
        notes.push(format!("help: {h}"));
    }
    Diagnostic::new(severity)
        .with_code(f.rule)
        .with_message(&f.message)
        .with_labels(labels)
        .with_notes(notes)
}

/// `found 3 errors and 1 warning in 42 files (1 could not be analysed, 5 skipped) in 0.12s`
pub fn summary(report: &Report) -> String {
    let errors = report.count(Level::Error);
    let warnings = report.count(Level::Warn);
    let s = &report.stats;
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let mut line = if errors + warnings == 0 {
        "no findings".to_string()
    } else {
        format!(
            "found {} and {}",
            plural(errors, "error"),
            plural(warnings, "warning")
        )
    };
    line.push_str(&format!(" in {}", plural(s.analysed + s.failed, "file")));
    let mut extra = Vec::new();
    if s.failed > 0 {
        extra.push(format!("{} could not be analysed", s.failed));
    }
    if s.skipped > 0 {
        extra.push(format!(
            "{} skipped by configuration or as tests",
            s.skipped
        ));
    }
    if report.suppressed > 0 {
        extra.push(format!("{} suppressed", report.suppressed));
    }
    if let Some(b) = &report.baseline {
        if let Some(w) = b.written {
            extra.push(format!("{} written to the baseline", w.findings));
        }
        if b.matched > 0 || b.stale > 0 {
            extra.push(format!(
                "{} baselined, {} baseline entries no longer match",
                b.matched, b.stale
            ));
        }
    }
    if let Some(n) = report.since_hidden.filter(|n| *n > 0) {
        extra.push(format!("{n} not on changed lines, hidden by --since"));
    }
    extra.push(match &report.config {
        Some(c) => format!("config {}", c.shown),
        None => "no config file, defaults".into(),
    });
    line.push_str(&format!(" ({})", extra.join(", ")));
    line.push_str(&format!(" in {:.2}s", s.elapsed.as_secs_f64()));
    line
}

/// Renders a configuration error with the offending line of the config
/// file, or as one `path:line:col: message` line when there is no text.
pub fn config_error(c: &crate::config::ConfigError, out: &mut dyn Write) -> io::Result<()> {
    use codespan_reporting::files::SimpleFile;
    let (Some(text), Some(span)) = (&c.source_text, &c.span) else {
        return writeln!(out, "error: {}", c.display_line());
    };
    let file = SimpleFile::new(c.path.display().to_string(), text.as_str());
    let d = Diagnostic::error()
        .with_message(&c.message)
        .with_labels(vec![Label::primary((), span.clone())]);
    let mut sink = Sink(out);
    let mut w = termcolor::NoColor::new(&mut sink);
    term::emit(&mut w, &term::Config::default(), &file, &d)
        .map_err(|e| io::Error::other(e.to_string()))
}
