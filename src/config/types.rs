//! The configuration as the rest of the pipeline sees it: the validated
//! [`Config`] with one struct per section, the rule [`Level`], and the
//! positioned [`ConfigError`] every loading or validation problem becomes.
//! Plain data with defaults; nothing here reads a file.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use globset::GlobSet;

use super::DEFAULT_TENANT_COLUMNS;

pub use crate::diagnostic::Level;

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Level {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Level::parse(s).ok_or_else(|| {
            format!("invalid level `{s}`; expected `error`, `warn` (or `warning`) or `off`")
        })
    }
}

/// Fully validated tenant-lint configuration; `Config::default()` is the built-in default.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file the configuration was read from; `None` for the defaults.
    pub path: Option<PathBuf>,
    /// The `[tenant]` section: what carries the tenant.
    pub tenant: TenantConfig,
    /// The `[superuser]` section: deliberate cross-tenant access.
    pub superuser: SuperuserConfig,
    /// The `[rules]` section: per-rule level overrides, keyed by rule id.
    pub rules: BTreeMap<String, Level>,
    /// The `[files]` section: which files are analysed.
    pub files: FilesConfig,
    /// The `[rls]` section (`missing-rls` options).
    pub rls: RlsConfig,
    /// The `[reach]` section: how where a query is reached from changes
    /// its finding.
    pub reach: ReachConfig,
}

/// The `[reach]` section.
#[derive(Debug, Clone)]
pub struct ReachConfig {
    /// The kinds of reach whose findings are reported one level lower.
    pub lower: Vec<crate::diagnostic::ReachKind>,
    /// Functions (names or `::`-paths) that are request handlers, beside
    /// the ones the frameworks show.
    pub request: Vec<String>,
    /// Functions that start background work (a job runner's entry).
    pub background: Vec<String>,
}

impl Default for ReachConfig {
    fn default() -> Self {
        ReachConfig {
            lower: vec![
                crate::diagnostic::ReachKind::Background,
                crate::diagnostic::ReachKind::None,
            ],
            request: Vec::new(),
            background: Vec::new(),
        }
    }
}

/// The `[tenant]` section.
#[derive(Debug, Clone)]
pub struct TenantConfig {
    /// Column names that hold the tenant key (replaces [`DEFAULT_TENANT_COLUMNS`] when given).
    pub columns: Vec<String>,
    /// Extra tables that are tenant-scoped, optionally `schema.`-qualified.
    pub tables: Vec<String>,
    /// Tables that are never tenant-scoped, optionally `schema.`-qualified.
    pub ignore_tables: Vec<String>,
    /// Method names that scope a query to the current tenant.
    pub scope_methods: Vec<String>,
    /// Type names whose values carry the tenant.
    pub types: Vec<String>,
    /// Types (`Path<MemberPath>`), extractors or functions whose values are
    /// trusted as tenant sources (`untrusted-tenant-source`).
    pub trusted_sources: Vec<String>,
    /// Functions that authorise the caller for a tenant value passed to
    /// them (`ensure_member(&user, org_id)?`).
    pub authorize_functions: Vec<String>,
    /// The table(s) whose rows are the tenants (`organizations`); empty:
    /// inferred from the schema.
    pub root: Vec<String>,
    /// `columns` was written in the config (not the defaults).
    pub columns_configured: bool,
}

/// The `[superuser]` section.
#[derive(Debug, Clone)]
pub struct SuperuserConfig {
    /// Function or method names that deliberately bypass tenant scoping.
    pub calls: Vec<String>,
    /// Glob patterns (as written) of files where superuser calls are allowed.
    pub allowed_paths: Vec<String>,
    /// Compiled form of `allowed_paths`, matched against root-relative `/`-separated paths.
    pub allowed_set: GlobSet,
}

/// The `[rls]` section.
#[derive(Debug, Clone, Default)]
pub struct RlsConfig {
    /// `missing-rls` also requires `FORCE ROW LEVEL SECURITY`.
    pub require_force: bool,
}

/// The `[files]` section.
#[derive(Debug, Clone)]
pub struct FilesConfig {
    /// Glob patterns (as written) of files that are not analysed.
    pub exclude: Vec<String>,
    /// Compiled form of `exclude`, matched against root-relative `/`-separated paths.
    pub exclude_set: GlobSet,
    /// Whether test code (`tests/` directories, `#[cfg(test)]` modules) is analysed too.
    pub include_tests: bool,
}

impl Default for TenantConfig {
    fn default() -> Self {
        TenantConfig {
            columns: DEFAULT_TENANT_COLUMNS
                .iter()
                .map(|c| (*c).to_string())
                .collect(),
            tables: Vec::new(),
            ignore_tables: Vec::new(),
            scope_methods: Vec::new(),
            types: Vec::new(),
            trusted_sources: Vec::new(),
            authorize_functions: Vec::new(),
            root: Vec::new(),
            columns_configured: false,
        }
    }
}

impl Default for SuperuserConfig {
    fn default() -> Self {
        SuperuserConfig {
            calls: Vec::new(),
            allowed_paths: Vec::new(),
            allowed_set: GlobSet::empty(),
        }
    }
}

impl Default for FilesConfig {
    fn default() -> Self {
        FilesConfig {
            exclude: Vec::new(),
            exclude_set: GlobSet::empty(),
            include_tests: false,
        }
    }
}

impl Config {
    /// The configured level for `rule`, if the `[rules]` section sets one.
    pub fn rule_level(&self, rule: &str) -> Option<Level> {
        self.rules.get(rule).copied()
    }
}

/// A configuration problem, positioned in the file it came from.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", self.display_line())]
pub struct ConfigError {
    /// The configuration file the error refers to.
    pub path: PathBuf,
    /// 1-based line of the problem; 0 when there is no position (I/O error).
    pub line: usize,
    /// 1-based column (in characters) of the problem; 0 when there is no position.
    pub column: usize,
    /// Byte range of the offending key or value in `source_text`.
    pub span: Option<Range<usize>>,
    /// The whole file text, for rendering a snippet.
    pub source_text: Option<String>,
    /// Lowercase message without a trailing period; identifiers in backticks.
    pub message: String,
}

impl ConfigError {
    /// `path:line:col: message`, or `path: message` when there is no position.
    pub fn display_line(&self) -> String {
        if self.line == 0 {
            format!("{}: {}", self.path.display(), self.message)
        } else {
            format!(
                "{}:{}:{}: {}",
                self.path.display(),
                self.line,
                self.column,
                self.message
            )
        }
    }

    /// An error at byte range `span` of `text`, the text of the file at
    /// `path`; without a span the error has no line or column.
    pub(super) fn at(
        path: &Path,
        text: &str,
        span: Option<Range<usize>>,
        message: String,
    ) -> ConfigError {
        let (line, column) = span.as_ref().map_or((0, 0), |s| {
            let pos = crate::diagnostic::LineIndex::new(text).pos(s.start);
            (pos.line as usize, pos.col as usize + 1)
        });
        ConfigError {
            path: path.to_path_buf(),
            line,
            column,
            span,
            source_text: Some(text.to_string()),
            message,
        }
    }

    /// An error without a position (e.g. the file could not be read).
    pub(super) fn unpositioned(path: &Path, message: String) -> ConfigError {
        ConfigError {
            path: path.to_path_buf(),
            line: 0,
            column: 0,
            span: None,
            source_text: None,
            message,
        }
    }
}
