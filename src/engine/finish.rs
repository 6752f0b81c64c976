//! The finish phase: what is left to do before the report is handed to a
//! renderer. Findings outside the named paths are dropped, the texts that
//! excerpts need are put in the file table, and the baseline (written and
//! read) and `--since` hide what the user asked not to see.

use super::read::{read_file, Text};
use super::suppress::{sort_findings, Suppressed};
use super::{CheckOptions, Error};
use crate::diagnostic::{FileId, Finding};
use crate::discover;
use crate::report::{BaselineStats, FileEntry};
use crate::rules::Levels;
use crate::workspace::{canonical, reported};
use crate::{baseline, since};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The canonical path of each file findings point into, resolved once.
fn canonical_of(findings: &[Finding], files: &[FileEntry]) -> HashMap<FileId, PathBuf> {
    findings
        .iter()
        .map(|f| f.file)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|id| (id, canonical(&files[id].path)))
        .collect()
}

/// Keeps the findings in files under one of the named paths.
pub(super) fn only_in(
    findings: &mut Vec<Finding>,
    files: &[FileEntry],
    only: &Option<Vec<PathBuf>>,
) {
    if only.is_some() {
        let paths = canonical_of(findings, files);
        findings.retain(|f| reported(only, &paths[&f.file]));
    }
}

/// Puts in the file table the text of each file a finding (shown or
/// suppressed, which are shown on request: `--show-suppressed`, SARIF)
/// or its labels point into, then sorts the findings.
pub(super) fn attach_texts(
    findings: &mut [Finding],
    suppressed_findings: &Suppressed,
    files: &mut [FileEntry],
    texts: &mut [Text],
    found: &[discover::SourcePath],
) {
    let shown = findings
        .iter()
        .chain(suppressed_findings.iter().map(|(f, _)| f));
    let needed: Vec<FileId> = shown
        .flat_map(|f| std::iter::once(f.file).chain(f.labels.iter().map(|l| l.file)))
        .collect();
    for id in needed {
        if files[id].text.is_none() {
            match texts.get_mut(id) {
                Some(Some(Ok(t))) => files[id].text = Some(std::mem::take(t)),
                Some(None) => files[id].text = read_file(&found[id]).ok(),
                // Not UTF-8: shown with the bytes that are not replaced
                // (U+FFFD), so the excerpt has the line the finding marks.
                Some(Some(Err(_))) => {
                    files[id].text = std::fs::read(&found[id].path)
                        .ok()
                        .map(|b| String::from_utf8_lossy(&b).into_owned());
                }
                None => {}
            }
        }
    }
    sort_findings(findings, files);
}

/// Writes `--write-baseline`, then hides what `--baseline` lists.
pub(super) fn baseline(
    opts: &CheckOptions,
    findings: &mut Vec<Finding>,
    files: &[FileEntry],
    levels: &Levels,
    only: &Option<Vec<PathBuf>>,
    base: &Path,
) -> Result<Option<BaselineStats>, Error> {
    let mut baseline_stats: Option<BaselineStats> = None;
    if let Some(path) = &opts.write_baseline {
        // Entries this run could not have reported stay: a rule it did not
        // run, a file outside the named paths.
        let outside = |e: &baseline::Entry| {
            levels.of(&e.rule).is_none() || !reported(only, &base.join(&e.file))
        };
        let written = baseline::write(path, findings, |id| files[id].rel.clone(), outside)?;
        baseline_stats
            .get_or_insert_with(BaselineStats::default)
            .written = Some(written);
    }
    if let Some(path) = &opts.baseline {
        let entries = baseline::load(path)?;
        let known: HashSet<&str> = entries.iter().map(|e| e.fingerprint.as_str()).collect();
        let present: HashSet<String> = findings.iter().map(|f| f.fingerprint.clone()).collect();
        let before = findings.len();
        findings.retain(|f| !known.contains(f.fingerprint.as_str()));
        let stats = baseline_stats.get_or_insert_with(BaselineStats::default);
        stats.matched = before - findings.len();
        stats.stale = entries
            .iter()
            .filter(|e| !present.contains(&e.fingerprint))
            .count();
    }
    Ok(baseline_stats)
}

/// With `--since REV`, keeps the findings on lines changed since `REV`
/// and says how many it hid.
pub(super) fn since(
    rev: Option<&str>,
    root: &Path,
    findings: &mut Vec<Finding>,
    files: &[FileEntry],
) -> Result<Option<usize>, Error> {
    let Some(rev) = rev else {
        return Ok(None);
    };
    let changed = since::changed_lines(root, rev).map_err(|e| Error::Usage(e.0))?;
    let paths = canonical_of(findings, files);
    let before = findings.len();
    findings.retain(|f| {
        let line = f.span.start.line;
        changed
            .get(&paths[&f.file])
            .is_some_and(|ranges| ranges.iter().any(|(a, b)| (*a..=*b).contains(&line)))
    });
    Ok(Some(before - findings.len()))
}
