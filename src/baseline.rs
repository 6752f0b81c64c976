//! Baselines: accept today's findings and fail only on new ones. The file
//! is sorted, diff-friendly JSON; entries match findings by fingerprint
//! (rule, file, enclosing item, normalised code — never the line number),
//! so moving or reformatting code keeps a finding baselined, while editing
//! a baselined query brings it back for review. Each entry has a `note`
//! for the team's triage, kept when the baseline is rewritten.

use crate::diagnostic::FileId;
use crate::diagnostic::Finding;
use crate::error::Error;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// One accepted finding.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    /// The finding's fingerprint.
    pub fingerprint: String,
    /// Rule id.
    pub rule: String,
    /// File, relative to the repository root (for people; entries match
    /// by fingerprint).
    pub file: String,
    /// The message when it was accepted (for people; not matched on).
    pub message: String,
    /// Free text for triage.
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct BaselineFile {
    version: u32,
    entries: Vec<Entry>,
}

fn io_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Reads a baseline.
pub fn load(path: &Path) -> Result<Vec<Entry>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| io_error(path, e))?;
    let file: BaselineFile = serde_json::from_str(&text)
        .map_err(|e| io_error(path, format!("not a tenant-lint baseline: {e}")))?;
    if file.version != 1 {
        return Err(io_error(
            path,
            format!("unsupported baseline version {}", file.version),
        ));
    }
    Ok(file.entries)
}

/// What writing a baseline did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    /// Entries for today's findings.
    pub findings: usize,
    /// Entries of the old file kept because this run could not have
    /// reported them (a rule not selected, a file outside the named paths).
    pub kept: usize,
}

/// Writes the findings as a baseline (`file_of` names a finding's file,
/// relative to the repository root), keeping the notes of entries that
/// are still there, and the old entries `outside` says this run did not
/// look at. The file is replaced atomically (temp file + rename).
pub fn write(
    path: &Path,
    findings: &[Finding],
    file_of: impl Fn(FileId) -> String,
    outside: impl Fn(&Entry) -> bool,
) -> Result<Written, Error> {
    let old = if path.is_file() {
        load(path)?
    } else {
        Vec::new()
    };
    let notes: HashMap<&str, &str> = old
        .iter()
        .map(|e| (e.fingerprint.as_str(), e.note.as_str()))
        .collect();
    let mut entries: Vec<Entry> = findings
        .iter()
        .map(|f| Entry {
            fingerprint: f.fingerprint.clone(),
            rule: f.rule.to_string(),
            file: file_of(f.file),
            message: f.message.clone(),
            note: notes
                .get(f.fingerprint.as_str())
                .map(|n| n.to_string())
                .unwrap_or_default(),
        })
        .collect();
    let n = entries.len();
    let kept: Vec<Entry> = old.iter().filter(|e| outside(e)).cloned().collect();
    let kept_count = kept.len();
    entries.extend(kept);
    entries.sort_by(|a, b| {
        (&a.file, &a.rule, &a.fingerprint).cmp(&(&b.file, &b.rule, &b.fingerprint))
    });
    entries.dedup_by(|a, b| a.fingerprint == b.fingerprint);
    let text = serde_json::to_string_pretty(&BaselineFile {
        version: 1,
        entries,
    })
    .map_err(|e| io_error(path, e))?;
    crate::atomic_file::write(path, format!("{text}\n").as_bytes())
        .map_err(|e| io_error(path, e))?;
    Ok(Written {
        findings: n,
        kept: kept_count,
    })
}
