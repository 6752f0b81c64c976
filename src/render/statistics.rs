//! `check --statistics`: how many findings each rule has, at each
//! severity, instead of the findings (like ruff's `--statistics`): a
//! table for people, or JSON for machines.

use crate::config::Level;
use crate::render::json::severity;
use crate::report::Report;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Each rule and severity with its count: the most findings first, then
/// by rule id, errors before warnings.
pub fn counts(report: &Report) -> Vec<(&'static str, Level, usize)> {
    let mut by: BTreeMap<(&'static str, std::cmp::Reverse<Level>), usize> = BTreeMap::new();
    for f in &report.findings {
        *by.entry((f.rule, std::cmp::Reverse(f.level))).or_default() += 1;
    }
    let mut out: Vec<_> = by.into_iter().map(|((r, l), n)| (r, l.0, n)).collect();
    // Stable: equal counts keep the rule order.
    out.sort_by_key(|(_, _, n)| std::cmp::Reverse(*n));
    out
}

/// The table, then the human summary line unless `quiet`.
pub fn text(report: &Report, quiet: bool, out: &mut dyn Write) -> io::Result<()> {
    let rows = counts(report);
    let count_w = rows
        .iter()
        .map(|(_, _, n)| n.to_string().len())
        .max()
        .unwrap_or(1);
    let rule_w = rows.iter().map(|(r, _, _)| r.len()).max().unwrap_or(0);
    for (rule, level, n) in &rows {
        writeln!(out, "{n:>count_w$}  {rule:<rule_w$}  {}", severity(*level))?;
    }
    if quiet {
        return Ok(());
    }
    writeln!(out, "{}", crate::render::human::summary(report))
}

#[derive(serde::Serialize)]
struct Doc {
    version: u32,
    statistics: Vec<Row>,
}

#[derive(serde::Serialize)]
struct Row {
    rule: &'static str,
    severity: &'static str,
    count: usize,
}

/// `{"version":1,"statistics":[{"rule","severity","count"}]}`.
pub fn json(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let doc = Doc {
        version: 1,
        statistics: counts(report)
            .into_iter()
            .map(|(rule, level, count)| Row {
                rule,
                severity: severity(level),
                count,
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    writeln!(out)
}
