//! The suppress phase: reads each file's allow comments, stamps the
//! severities from the configuration and flags (dropping the findings of
//! rules that did not run), sorts and fingerprints the findings, sets
//! aside those an allow comment covers, and builds the audit of
//! cross-tenant calls.

use super::judge::Judge;
use super::ledger::Ledger;
use super::read::Sources;
use crate::config::Config;
use crate::diagnostic::{stable_hash, FileId, Finding};
use crate::discover;
use crate::model::queries;
use crate::report::{AuditEntry, FileEntry};
use crate::rules::{self, Levels, Phase};
use crate::suppress::{self, Suppression};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// Findings set aside by an allow comment, with its reason.
pub(super) type Suppressed = Vec<(Finding, Option<String>)>;

/// Records each file's allow comments in the ledger (the cached ones for
/// files not read), where the judge and the next run find them.
pub(super) fn parse_all(src: Sources, ledger: &mut Ledger) {
    let cached = &*ledger;
    let file_suppressions: Vec<Vec<Suppression>> = src.pool.install(|| {
        src.texts
            .par_iter()
            .enumerate()
            .map(|(i, t)| match t {
                Some(Ok(t)) => suppress::parse(t),
                Some(Err(_)) => Vec::new(),
                None => cached.cached_suppressions(i).to_vec(),
            })
            .collect()
    });
    ledger.record_suppressions(file_suppressions);
}

/// Drops duplicates, stamps severities, then sorts and fingerprints.
pub(super) fn stamp(
    findings: &mut Vec<Finding>,
    levels: &Levels,
    reach: &crate::config::ReachConfig,
    files: &[FileEntry],
) {
    // One SQL text can reach the database on several paths.
    let mut seen = HashSet::new();
    findings.retain(|f| seen.insert((f.rule, f.file, f.span, f.message.clone())));
    // Severities from config and flags (a rule without one did not run).
    findings.retain_mut(|f| match levels.of(f.rule) {
        Some(l) => {
            // A lookup by a key the request chooses says so first, with
            // the route when one is known.
            if let Some((value, how, handler)) = &f.key_from {
                // The route, when the one shown starts at the function that
                // took the key.
                let route = f
                    .reach
                    .as_ref()
                    .filter(|r| r.kind == crate::diagnostic::ReachKind::Request)
                    .filter(|r| {
                        handler.as_ref().is_none_or(|h| {
                            r.path.first().is_some_and(|s| {
                                s.function == *h || s.function.ends_with(&format!("::{h}"))
                            })
                        })
                    })
                    .and_then(|r| r.routes.iter().find(|r| r.starts_with(char::is_uppercase)));
                let whence = match route {
                    Some(r) => format!("the request to `{r}`"),
                    None => "the request".to_string(),
                };
                let how = match handler {
                    Some(h) => format!("{how} of `{h}`, handed down"),
                    None => how.clone(),
                };
                f.message = format!(
                    "`{value}` comes from {whence} ({how}) and picks the rows: {}",
                    f.message
                );
            }
            // A query reached only from background work or from nothing
            // is one level lower, and says why.
            if let Some(r) = f.reach.as_ref().filter(|r| reach.lower.contains(&r.kind)) {
                if !f.lower {
                    f.message = format!("{} ({})", f.message, r.reason);
                }
                f.lower = true;
            }
            // A finding the rule is not sure of is one level lower.
            f.level = if f.lower && l == crate::diagnostic::Level::Error {
                crate::diagnostic::Level::Warn
            } else {
                l
            };
            true
        }
        None => false,
    });
    // Sorted and fingerprinted before anything is set aside, so suppressed
    // findings keep the fingerprint they would have (SARIF carries them).
    sort_findings(findings, files);
    fingerprint(findings, files);
}

/// Sets aside the findings an allow comment covers; an allow that
/// silences nothing is reported by the rules that judge suppressions.
pub(super) fn apply(
    findings: &mut Vec<Finding>,
    suppressions: &HashMap<FileId, Vec<Suppression>>,
    judge: &Judge,
    files: &[FileEntry],
) -> Suppressed {
    let mut used: HashSet<(FileId, usize)> = HashSet::new();
    let mut suppressed_findings: Suppressed = Vec::new();
    findings.retain(|f| {
        if f.rule == rules::invalid_suppression::ID {
            return true;
        }
        let hit = suppressions
            .get(&f.file)
            .and_then(|ss| ss.iter().enumerate().find(|(_, s)| s.covers(f)));
        match hit {
            Some((k, s)) => {
                used.insert((f.file, k));
                suppressed_findings.push((f.clone(), s.reason.clone()));
                false
            }
            None => true,
        }
    });
    if judge.levels.running(Phase::Suppressed).next().is_some() {
        let mut ids: Vec<&FileId> = suppressions.keys().collect();
        ids.sort();
        let by_file: Vec<(FileId, &[Suppression])> = ids
            .into_iter()
            .map(|id| (*id, suppressions[id].as_slice()))
            .collect();
        let matched = rules::SuppressionUse {
            suppressions: &by_file,
            used: &used,
        };
        findings.extend(judge.suppressed(&matched));
        sort_findings(findings, files);
        fingerprint(findings, files);
    }
    suppressed_findings
}

/// The audit of cross-tenant calls: every one, and how it is allowed.
pub(super) fn audit(
    superuser_calls: &[(FileId, queries::SuperuserCall)],
    suppressed_findings: &Suppressed,
    config: &Config,
    found: &[discover::SourcePath],
    files: &[FileEntry],
) -> Vec<AuditEntry> {
    superuser_calls
        .iter()
        .map(|(i, c)| {
            let rel = &found[*i].rel;
            let allowed = config.superuser.allowed_set.is_match(rel);
            let justification = suppressed_findings
                .iter()
                .find(|(f, _)| {
                    f.rule == rules::superuser_access::ID && f.file == *i && f.span == c.span
                })
                .map(|(_, r)| r.clone());
            let (status, justification) = match (allowed, justification) {
                (true, _) => ("allowed-path", None),
                (false, Some(r)) => ("justified", r),
                (false, None) => ("flagged", None),
            };
            AuditEntry {
                file: files[*i].rel.clone(),
                line: c.span.start.line,
                function: c.function.clone(),
                call: c.call.clone(),
                status,
                justification,
            }
        })
        .collect()
}

/// Orders findings by file, position, rule and message.
pub(super) fn sort_findings(findings: &mut [Finding], files: &[FileEntry]) {
    findings.sort_by(|a, b| {
        (&files[a.file].rel, a.span.start, a.rule, &a.message).cmp(&(
            &files[b.file].rel,
            b.span.start,
            b.rule,
            &b.message,
        ))
    });
}

/// Stable fingerprints: rule, file, enclosing item and normalised code,
/// plus an occurrence index for identical ones. Line numbers are not part
/// of it, so unrelated edits that move lines keep it stable.
fn fingerprint(findings: &mut [Finding], files: &[FileEntry]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for f in findings.iter_mut() {
        let key = format!("{}|{}|{}", f.rule, files[f.file].rel, f.identity);
        let n = seen.entry(key.clone()).or_insert(0);
        let h = stable_hash(format!("{key}|{n}").as_bytes());
        *n += 1;
        // Findings added late (unused suppressions) get theirs; earlier
        // ones keep the fingerprint they had before anything was removed.
        if f.fingerprint.is_empty() {
            f.fingerprint = format!("{h:016x}");
        }
    }
}
