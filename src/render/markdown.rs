//! `--format markdown`: a review report for a pull-request comment or a CI
//! job summary — totals by rule and severity, new against baselined, each
//! finding with a link-friendly `file:line`, its message, the code and the
//! fix; the audit of cross-tenant calls; files that could not be analysed.
//! Short when clean, and stable (no timings) so it can be snapshot-tested.

use crate::config::Level;
use crate::diagnostic::LineIndex;
use crate::render::{excerpt, Options};
use crate::report::Report;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

fn esc(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The tenant tables the findings name (in backticks in their messages
/// and notes), sorted.
fn touched_tables(report: &Report) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in &report.findings {
        for text in std::iter::once(&f.message).chain(&f.notes) {
            for (i, w) in text.split('`').enumerate() {
                if i % 2 == 1 && report.model.is_tenant(w) && !out.iter().any(|x| x == w) {
                    out.push(w.to_string());
                }
            }
        }
    }
    out.sort();
    out
}

/// Writes the report.
pub fn render(report: &Report, opts: Options, out: &mut dyn Write) -> io::Result<()> {
    let errors = report.count(Level::Error);
    let warnings = report.count(Level::Warn);
    let s = &report.stats;
    writeln!(out, "## tenant-lint")?;
    writeln!(out)?;
    let mut totals = if errors + warnings == 0 {
        format!("No findings in {} files", s.analysed + s.failed)
    } else {
        format!(
            "**{errors} error{}, {warnings} warning{}** in {} files",
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" },
            s.analysed + s.failed
        )
    };
    if let Some(b) = &report.baseline {
        totals.push_str(&format!(
            " · {} baselined · {} baseline entries no longer match",
            b.matched, b.stale
        ));
    }
    if report.suppressed > 0 {
        totals.push_str(&format!(" · {} suppressed", report.suppressed));
    }
    if s.failed > 0 {
        totals.push_str(&format!(" · {} could not be analysed", s.failed));
    }
    if let Some(n) = report.since_hidden.filter(|n| *n > 0) {
        totals.push_str(&format!(" · {n} not on changed lines (`--since`)"));
    }
    writeln!(out, "{totals}.")?;
    writeln!(out)?;
    match &report.config {
        Some(c) => writeln!(out, "Configuration: `{}`.", c.rel)?,
        None => writeln!(out, "Configuration: none found, defaults.")?,
    }

    if !report.findings.is_empty() {
        let mut by_rule: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for f in &report.findings {
            let e = by_rule.entry(f.rule).or_default();
            match f.level {
                Level::Error => e.0 += 1,
                _ => e.1 += 1,
            }
        }
        writeln!(out)?;
        writeln!(out, "| rule | errors | warnings |")?;
        writeln!(out, "|---|---:|---:|")?;
        for (rule, (e, w)) in &by_rule {
            writeln!(out, "| `{rule}` | {e} | {w} |")?;
        }
        writeln!(out)?;
        writeln!(out, "### Findings")?;
        // One line index per file with findings, built on first use.
        let mut lines: HashMap<usize, LineIndex<'_>> = HashMap::new();
        for f in &report.findings {
            let file = &report.files[f.file];
            let sev = if f.level == Level::Error {
                "error"
            } else {
                "warning"
            };
            writeln!(out)?;
            writeln!(
                out,
                "**`{}:{}`** — `{}` ({sev})  ",
                file.rel, f.span.start.line, f.rule
            )?;
            writeln!(out, "{}", esc(&f.message))?;
            if let Some(text) = &file.text {
                let from = f
                    .extent
                    .map_or(f.span.start.line, |(a, _)| a)
                    .max(f.span.start.line.saturating_sub(3));
                let index = lines.entry(f.file).or_insert_with(|| LineIndex::new(text));
                let shown = excerpt(index, from, f.span.start.line);
                if !shown.is_empty() {
                    writeln!(out)?;
                    writeln!(out, "```text")?;
                    for (n, l) in shown {
                        writeln!(out, "{n:>5} | {l}")?;
                    }
                    writeln!(out, "```")?;
                }
            }
            if let Some(r) = crate::render::reach_line(f) {
                writeln!(out, "- reach: {}", esc(&r))?;
            }
            for n in &f.notes {
                writeln!(out, "- note: {}", esc(n))?;
            }
            if let Some(h) = &f.help {
                writeln!(out, "- fix: {}", esc(h))?;
            }
        }
    }

    // The tenancy tree of the tables the findings name (GitHub draws it):
    // where a child table's rows get their tenant from.
    let touched = touched_tables(report);
    let tree_helps = touched.iter().any(|t| {
        report
            .model
            .tables
            .get(t)
            .is_some_and(|t| t.scope == crate::model::Scope::Child)
    }) || !report.model.roots.is_empty();
    if !touched.is_empty() && tree_helps {
        writeln!(out)?;
        writeln!(out, "### Tenancy of these tables")?;
        writeln!(out)?;
        writeln!(out, "```mermaid")?;
        write!(
            out,
            "{}",
            crate::render::schema::mermaid(&report.model, Some(&touched))
        )?;
        writeln!(out, "```")?;
    }

    if !report.audit.is_empty() {
        writeln!(out)?;
        writeln!(out, "### Cross-tenant access")?;
        writeln!(out)?;
        writeln!(out, "| file | function | call | status | justification |")?;
        writeln!(out, "|---|---|---|---|---|")?;
        for a in &report.audit {
            writeln!(
                out,
                "| `{}:{}` | `{}` | `{}` | {} | {} |",
                a.file,
                a.line,
                a.function,
                a.call,
                a.status,
                esc(a.justification.as_deref().unwrap_or(""))
            )?;
        }
    }

    let failed: Vec<&crate::diagnostic::Finding> = report
        .findings
        .iter()
        .filter(|f| f.rule == crate::rules::parse_error::ID)
        .collect();
    if !failed.is_empty() {
        writeln!(out)?;
        writeln!(out, "### Not analysed")?;
        writeln!(out)?;
        for f in failed {
            writeln!(
                out,
                "- `{}:{}` — {}",
                report.files[f.file].rel,
                f.span.start.line,
                esc(&f.message)
            )?;
        }
    }

    if opts.show_suppressed && !report.suppressed_findings.is_empty() {
        writeln!(out)?;
        writeln!(out, "### Suppressed")?;
        writeln!(out)?;
        for (f, reason) in &report.suppressed_findings {
            writeln!(
                out,
                "- `{}:{}` `{}` — {} — because: {}",
                report.files[f.file].rel,
                f.span.start.line,
                f.rule,
                esc(&f.message),
                esc(reason.as_deref().unwrap_or("(no reason given)"))
            )?;
        }
    }
    Ok(())
}
