//! What a run found, as the renderers, the baseline and the library's
//! callers receive it: the findings after suppression and severity, the
//! file table they point into (with the paths each output uses), run
//! statistics, the audit of cross-tenant calls, and the notes for the
//! user. Plain data; the engine fills it, `render` reads it.

use crate::config::Level;
use crate::diagnostic::Finding;
use crate::discover::WalkError;
use crate::model::TenantModel;
use std::path::PathBuf;
use std::time::Duration;

/// One call to a configured cross-tenant helper, for the audit list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditEntry {
    /// File, relative to the root.
    pub file: String,
    /// Line of the call.
    pub line: u32,
    /// Enclosing function.
    pub function: String,
    /// The call as written.
    pub call: String,
    /// `flagged`, `allowed-path` or `justified`.
    pub status: &'static str,
    /// The reason given in the suppression, when justified.
    pub justification: Option<String>,
}

/// How the baseline applied.
#[derive(Debug, Clone, Default)]
pub struct BaselineStats {
    /// Findings hidden because they are in the baseline.
    pub matched: usize,
    /// Baseline entries that matched no finding (fixed, or edited).
    pub stale: usize,
    /// What `--write-baseline` wrote.
    pub written: Option<crate::baseline::Written>,
}

/// One file of the run.
#[derive(Debug, Clone)]
pub struct FileEntry {
    /// Path relative to the repository root (the project root outside
    /// git), `/`-separated: what reports, fingerprints and baselines use.
    pub rel: String,
    /// Path as a person at the terminal can open it: relative to the
    /// current directory when under it, else absolute.
    pub shown: String,
    /// Path on disk.
    pub path: PathBuf,
    /// The text, when it was read and is needed for rendering.
    pub text: Option<String>,
}

/// Where the configuration of a run came from.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    /// Relative to the report base (as `FileEntry::rel`).
    pub rel: String,
    /// Relative to the current directory (as `FileEntry::shown`).
    pub shown: String,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// `.rs` files found by the walk.
    pub discovered: usize,
    /// Files analysed (parsed, or shown by the prefilter to contain no
    /// query or schema token).
    pub analysed: usize,
    /// Files that could not be analysed (each has a `parse-error` finding).
    pub failed: usize,
    /// Files left out by `[files] exclude` or as test code.
    pub skipped: usize,
    /// Files parsed in full (or whose full-parse facts came from the cache).
    pub parsed: usize,
    /// Files whose tenant-model facts came from the cache.
    pub cached_schema: usize,
    /// Files whose query facts came from the cache.
    pub cached_queries: usize,
    /// Wall time of the run.
    pub elapsed: Duration,
}

/// Everything a renderer needs.
#[derive(Debug)]
pub struct Report {
    /// Findings after suppression and severity, sorted.
    pub findings: Vec<Finding>,
    /// The file table findings point into.
    pub files: Vec<FileEntry>,
    /// Run statistics.
    pub stats: Stats,
    /// Entries the walk could not read.
    pub errors: Vec<WalkError>,
    /// Notes for the user about the run (stderr in human mode).
    pub notes: Vec<String>,
    /// The tenant model used.
    pub model: TenantModel,
    /// Number of findings silenced by inline suppressions.
    pub suppressed: usize,
    /// The silenced findings and the reason given.
    pub suppressed_findings: Vec<(Finding, Option<String>)>,
    /// Every configured cross-tenant call.
    pub audit: Vec<AuditEntry>,
    /// Baseline bookkeeping, when one was used or written.
    pub baseline: Option<BaselineStats>,
    /// The project root that was analysed (canonical).
    pub root: PathBuf,
    /// What report paths are relative to: the repository root, or the
    /// project root outside git (canonical).
    pub base: PathBuf,
    /// The configuration file used (`None`: the defaults).
    pub config: Option<ConfigFile>,
    /// With `--since`: how many findings were left out as not on a
    /// changed line.
    pub since_hidden: Option<usize>,
}

impl Report {
    /// Number of findings at `level`.
    pub fn count(&self, level: Level) -> usize {
        self.findings.iter().filter(|f| f.level == level).count()
    }
}
