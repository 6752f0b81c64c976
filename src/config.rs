//! Configuration loading and validation.
//!
//! This is the second stage of the pipeline (cli → **config** → discover →
//! parse → model → rules → suppress → render): the CLI hands us a start
//! directory or an explicit `--config FILE`, and we produce a validated
//! [`Config`] that tells discovery which files to skip, tells the model which
//! columns, tables, methods and types carry the tenant, and tells the rule
//! engine at which [`Level`] each rule reports. Configuration lives either in
//! a `tenant-lint.toml` file or in a `[workspace.metadata.tenant-lint]` /
//! `[package.metadata.tenant-lint]` table of a `Cargo.toml`. Every problem in
//! the file (syntax errors, unknown keys, wrong types, bad values) is a
//! [`ConfigError`] carrying the file path, a 1-based line and column and a
//! byte span so that the renderer can show a snippet.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use toml_edit::{ImDocument, Item, Key, Table, TableLike, Value};

/// The tenant columns assumed when `tenant.columns` is not configured.
pub const DEFAULT_TENANT_COLUMNS: &[&str] =
    &["tenant_id", "org_id", "organization_id", "workspace_id"];

/// Name of the dedicated configuration file looked for in each directory.
pub const CONFIG_FILE_NAME: &str = "tenant-lint.toml";

/// Name of the Cargo manifest whose `metadata.tenant-lint` table is also read.
pub const CARGO_FILE_NAME: &str = "Cargo.toml";

/// Severity at which a rule reports its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The rule is disabled.
    Off,
    /// Findings are reported as warnings.
    Warn,
    /// Findings are reported as errors.
    Error,
}

impl Level {
    /// The configuration spelling of this level (`off`, `warn` or `error`).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }

    /// Parses `off`, `warn` or `error`, and `warning`, the word findings
    /// and `tenant-lint rules` print; anything else yields `None`.
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "off" => Some(Level::Off),
            "warn" | "warning" => Some(Level::Warn),
            "error" => Some(Level::Error),
            _ => None,
        }
    }
}

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
    /// Parses and validates `text` in the `tenant-lint.toml` format; `path` is used for error positions.
    pub fn from_str(text: &str, path: &Path, known_rules: &[&str]) -> Result<Config, ConfigError> {
        let ctx = Ctx {
            path,
            text,
            prefix: "",
        };
        let doc = parse_document(&ctx)?;
        let mut config = build_config(&ctx, doc.as_table(), known_rules)?;
        config.path = Some(path.to_path_buf());
        Ok(config)
    }

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
    fn at(path: &Path, text: &str, span: Option<Range<usize>>, message: String) -> ConfigError {
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
    fn unpositioned(path: &Path, message: String) -> ConfigError {
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

/// Walks up from `start` (a file or directory) looking for configuration.
///
/// In each directory `tenant-lint.toml` wins; otherwise a `Cargo.toml` with a
/// `[workspace.metadata.tenant-lint]` (preferred) or
/// `[package.metadata.tenant-lint]` table is used. The search stops after
/// `stop` (the repository or project root: a file above it belongs to
/// someone else), or at the filesystem root when `stop` is `None` or not an
/// ancestor. Returns `Ok(None)` when nothing is found.
pub fn find_and_load(
    start: &Path,
    stop: Option<&Path>,
    known_rules: &[&str],
) -> Result<Option<Config>, ConfigError> {
    let start_dir = if start.is_file() {
        match start.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    } else if start.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        start.to_path_buf()
    };
    let relative_to = if start_dir.is_relative() {
        std::env::current_dir().ok()
    } else {
        None
    };
    let abs = match std::path::absolute(&start_dir) {
        Ok(p) => normalize(&p),
        Err(_) => normalize(&start_dir),
    };

    for dir in abs.ancestors() {
        let candidate = dir.join(CONFIG_FILE_NAME);
        if candidate.is_file() {
            let shown = display_path(&candidate, relative_to.as_deref());
            let text = read(&candidate, &shown)?;
            return Config::from_str(&text, &shown, known_rules).map(Some);
        }
        let cargo = dir.join(CARGO_FILE_NAME);
        if cargo.is_file() {
            let shown = display_path(&cargo, relative_to.as_deref());
            // An unreadable Cargo.toml that we were not asked to read explicitly
            // is not ours to complain about.
            let Ok(text) = std::fs::read_to_string(&cargo) else {
                continue;
            };
            let ctx = Ctx {
                path: &shown,
                text: &text,
                prefix: "",
            };
            let doc = match parse_document(&ctx) {
                Ok(doc) => doc,
                Err(e) if text.contains("tenant-lint") => return Err(e),
                Err(_) => continue,
            };
            if let Some(config) = config_from_cargo(&ctx, doc.as_table(), known_rules)? {
                return Ok(Some(config));
            }
        }
        if Some(dir) == stop {
            break;
        }
    }
    Ok(None)
}

/// Loads an explicitly named configuration file (`--config FILE`).
///
/// A file named `Cargo.toml` is read through its `metadata.tenant-lint` table,
/// which must exist; any other file is read in the `tenant-lint.toml` format.
pub fn load_file(path: &Path, known_rules: &[&str]) -> Result<Config, ConfigError> {
    let text = read(path, path)?;
    if path.file_name().is_some_and(|n| n == CARGO_FILE_NAME) {
        let ctx = Ctx {
            path,
            text: &text,
            prefix: "",
        };
        let doc = parse_document(&ctx)?;
        return config_from_cargo(&ctx, doc.as_table(), known_rules)?.ok_or_else(|| {
            ConfigError::unpositioned(
                path,
                "no `[workspace.metadata.tenant-lint]` or `[package.metadata.tenant-lint]` table found".to_string(),
            )
        });
    }
    Config::from_str(&text, path, known_rules)
}

fn read(path: &Path, shown: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path)
        .map_err(|e| ConfigError::unpositioned(shown, lowercase_first(&e.to_string())))
}

/// Parses TOML text, turning syntax errors into [`ConfigError`]s.
fn parse_document<'t>(ctx: &Ctx<'t>) -> Result<ImDocument<&'t str>, ConfigError> {
    ImDocument::parse(ctx.text).map_err(|e| {
        let detail = e
            .message()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        let detail = lowercase_first(detail.trim_end_matches('.'));
        ctx.error(e.span(), format!("invalid toml: {detail}"))
    })
}

/// Finds the `metadata.tenant-lint` table of a parsed Cargo.toml (workspace first) and builds a config from it.
fn config_from_cargo(
    ctx: &Ctx<'_>,
    doc: &Table,
    known_rules: &[&str],
) -> Result<Option<Config>, ConfigError> {
    for owner in ["workspace", "package"] {
        let found = doc
            .get(owner)
            .and_then(Item::as_table_like)
            .and_then(|t| t.get("metadata"))
            .and_then(Item::as_table_like)
            .and_then(|t| t.get_key_value("tenant-lint"));
        let Some((key, item)) = found else { continue };
        let prefix = format!("{owner}.metadata.tenant-lint");
        let sub = Ctx {
            path: ctx.path,
            text: ctx.text,
            prefix: &prefix,
        };
        let Some(table) = item.as_table_like() else {
            return Err(sub.error(
                value_span(key, item),
                format!("`{prefix}` must be a table, found {}", type_name(item)),
            ));
        };
        let mut config = build_config(&sub, table, known_rules)?;
        config.path = Some(ctx.path.to_path_buf());
        return Ok(Some(config));
    }
    Ok(None)
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// Lexically removes `.` and `..` components from an absolute path.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for comp in path.components() {
        match comp {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Shows `path` relative to `base` when it lies inside it (used when the user gave a relative start).
fn display_path(path: &Path, base: Option<&Path>) -> PathBuf {
    match base.map(normalize) {
        Some(base) => match path.strip_prefix(&base) {
            Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
            _ => path.to_path_buf(),
        },
        None => path.to_path_buf(),
    }
}

/// Where a table comes from: the file, its text, and where in it the table sits.
struct Ctx<'a> {
    /// The file as shown in errors.
    pub path: &'a std::path::Path,
    /// The whole file text; spans are byte offsets into it.
    pub text: &'a str,
    /// Dotted path of the config table inside the document (`""` for tenant-lint.toml).
    pub prefix: &'a str,
}

impl Ctx<'_> {
    /// An error at `span` of this file.
    pub fn error(&self, span: Option<Range<usize>>, message: String) -> ConfigError {
        ConfigError::at(self.path, self.text, span, message)
    }

    /// `[section]` header name as the user sees it in this document.
    fn header(&self, section: &str) -> String {
        match (self.prefix.is_empty(), section.is_empty()) {
            (true, _) => format!("[{section}]"),
            (false, true) => format!("[{}]", self.prefix),
            (false, false) => format!("[{}.{section}]", self.prefix),
        }
    }
}

/// Span of an entry's value. Every parsed key and value has one except
/// implicit tables (`tenant` in `[tenant.x]` or in `tenant.x = 1`): those
/// point at their key.
fn value_span(key: &Key, item: &Item) -> Option<Range<usize>> {
    item.span().or_else(|| key.span())
}

/// The entries of a table or inline table, in document order.
fn entries(table: &dyn TableLike) -> impl Iterator<Item = (&Key, &Item)> {
    table
        .iter()
        .filter_map(|(name, _)| table.get_key_value(name))
}

/// "a string", "an array", ...: the kind of value a type error found.
fn type_name(item: &Item) -> &'static str {
    match item {
        Item::Value(value) => value_type_name(value),
        Item::Table(_) => "a table",
        Item::ArrayOfTables(_) => "an array",
        Item::None => "nothing",
    }
}

fn value_type_name(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a datetime",
        Value::Array(_) => "an array",
        Value::InlineTable(_) => "a table",
    }
}

const TOP_KEYS: &[&str] = &["tenant", "superuser", "rules", "files", "rls"];
const RLS_KEYS: &[&str] = &["require-force"];
const TENANT_KEYS: &[&str] = &[
    "columns",
    "tables",
    "ignore-tables",
    "scope-methods",
    "types",
    "trusted-sources",
    "authorize-functions",
];
const SUPERUSER_KEYS: &[&str] = &["calls", "allowed-paths"];
const FILES_KEYS: &[&str] = &["exclude", "include-tests"];

/// Validates the config table `top` into a [`Config`] (without its path).
fn build_config(
    ctx: &Ctx<'_>,
    top: &dyn TableLike,
    known_rules: &[&str],
) -> Result<Config, ConfigError> {
    let mut config = Config::default();
    for (key, item) in entries(top) {
        let name = key.get();
        if !TOP_KEYS.contains(&name) {
            return Err(unknown_key(ctx, key, "", TOP_KEYS));
        }
        let Some(table) = item.as_table_like() else {
            return Err(ctx.error(
                value_span(key, item),
                format!(
                    "`{name}` must be a table (`{}`), found {}",
                    ctx.header(name),
                    type_name(item)
                ),
            ));
        };
        match name {
            "tenant" => config.tenant = build_tenant(ctx, table)?,
            "superuser" => config.superuser = build_superuser(ctx, table)?,
            "rules" => config.rules = build_rules(ctx, table, known_rules)?,
            "rls" => config.rls = build_rls(ctx, table)?,
            _ => config.files = build_files(ctx, table)?,
        }
    }
    Ok(config)
}

fn unknown_key(ctx: &Ctx<'_>, key: &Key, section: &str, known: &[&str]) -> ConfigError {
    let name = key.get();
    let mut message = if section.is_empty() && ctx.prefix.is_empty() {
        format!("unknown key `{name}`")
    } else {
        format!("unknown key `{name}` in `{}`", ctx.header(section))
    };
    match suggest(name, known) {
        Some(s) => message.push_str(&format!("; did you mean `{s}`?")),
        None => message.push_str(&format!("; expected one of {}", list(known))),
    }
    ctx.error(key.span(), message)
}

fn list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn build_tenant(ctx: &Ctx<'_>, table: &dyn TableLike) -> Result<TenantConfig, ConfigError> {
    let mut tenant = TenantConfig::default();
    for (key, item) in entries(table) {
        let field = format!("tenant.{}", key.get());
        let names = |what: &str, valid: fn(&str) -> bool| {
            let items = string_list(ctx, &field, key, item)?;
            check_names(ctx, &field, items, what, valid)
        };
        match key.get() {
            "columns" => {
                if item.as_array().is_some_and(|a| a.is_empty()) {
                    return Err(ctx.error(
                        value_span(key, item),
                        "`tenant.columns` must name at least one column".to_string(),
                    ));
                }
                tenant.columns = names("column", is_sql_ident)?;
            }
            "tables" => tenant.tables = names("table", is_table_name)?,
            "ignore-tables" => tenant.ignore_tables = names("table", is_table_name)?,
            "scope-methods" => tenant.scope_methods = names("method", is_rust_path)?,
            "types" => tenant.types = names("type", is_rust_path)?,
            "trusted-sources" => tenant.trusted_sources = names("source", is_rust_path)?,
            "authorize-functions" => {
                tenant.authorize_functions = names("function", is_rust_path)?;
            }
            _ => return Err(unknown_key(ctx, key, "tenant", TENANT_KEYS)),
        }
    }
    Ok(tenant)
}

fn build_superuser(ctx: &Ctx<'_>, table: &dyn TableLike) -> Result<SuperuserConfig, ConfigError> {
    let mut superuser = SuperuserConfig::default();
    for (key, item) in entries(table) {
        let field = format!("superuser.{}", key.get());
        match key.get() {
            "calls" => {
                let items = string_list(ctx, &field, key, item)?;
                superuser.calls = check_names(ctx, &field, items, "call", is_call_pattern)?;
            }
            "allowed-paths" => {
                (superuser.allowed_paths, superuser.allowed_set) = globs(ctx, &field, key, item)?;
            }
            _ => return Err(unknown_key(ctx, key, "superuser", SUPERUSER_KEYS)),
        }
    }
    Ok(superuser)
}

fn build_rls(ctx: &Ctx<'_>, table: &dyn TableLike) -> Result<RlsConfig, ConfigError> {
    let mut rls = RlsConfig::default();
    for (key, item) in entries(table) {
        match key.get() {
            "require-force" => rls.require_force = boolean(ctx, "rls", key, item)?,
            _ => return Err(unknown_key(ctx, key, "rls", RLS_KEYS)),
        }
    }
    Ok(rls)
}

fn build_files(ctx: &Ctx<'_>, table: &dyn TableLike) -> Result<FilesConfig, ConfigError> {
    let mut files = FilesConfig::default();
    for (key, item) in entries(table) {
        match key.get() {
            "exclude" => {
                let field = format!("files.{}", key.get());
                (files.exclude, files.exclude_set) = globs(ctx, &field, key, item)?;
            }
            "include-tests" => files.include_tests = boolean(ctx, "files", key, item)?,
            _ => return Err(unknown_key(ctx, key, "files", FILES_KEYS)),
        }
    }
    Ok(files)
}

fn build_rules(
    ctx: &Ctx<'_>,
    table: &dyn TableLike,
    known_rules: &[&str],
) -> Result<BTreeMap<String, Level>, ConfigError> {
    let mut rules = BTreeMap::new();
    for (key, item) in entries(table) {
        let name = key.get();
        if !known_rules.contains(&name) {
            let mut message = format!("unknown rule `{name}` in `{}`", ctx.header("rules"));
            match suggest(name, known_rules) {
                Some(s) => message.push_str(&format!("; did you mean `{s}`?")),
                None if !known_rules.is_empty() => {
                    message.push_str(&format!("; known rules are {}", list(known_rules)))
                }
                None => {}
            }
            return Err(ctx.error(key.span(), message));
        }
        let level = match item.as_str() {
            Some(s) => Level::parse(s).ok_or_else(|| {
                ctx.error(
                    value_span(key, item),
                    format!(
                        "invalid level `{s}` for rule `{name}`; expected `error`, `warn` (or `warning`) or `off`"
                    ),
                )
            })?,
            None => {
                return Err(ctx.error(
                    value_span(key, item),
                    format!(
                        "level of rule `{name}` must be a string (`error`, `warn` (or `warning`) or `off`), found {}",
                        type_name(item)
                    ),
                ))
            }
        };
        rules.insert(name.to_string(), level);
    }
    Ok(rules)
}

/// Reads `section.key` as a boolean.
fn boolean(ctx: &Ctx<'_>, section: &str, key: &Key, item: &Item) -> Result<bool, ConfigError> {
    item.as_bool().ok_or_else(|| {
        ctx.error(
            value_span(key, item),
            format!(
                "`{section}.{}` must be a boolean, found {}",
                key.get(),
                type_name(item)
            ),
        )
    })
}

/// Reads a list of glob patterns: the patterns as written and their compiled set.
fn globs(
    ctx: &Ctx<'_>,
    field: &str,
    key: &Key,
    item: &Item,
) -> Result<(Vec<String>, GlobSet), ConfigError> {
    let items = string_list(ctx, field, key, item)?;
    let set = compile_globs(field, &items, value_span(key, item))
        .map_err(|(span, message)| ctx.error(span, message))?;
    Ok((items.into_iter().map(|(s, _)| s).collect(), set))
}

/// Strings read from an array, each with its span.
type Items = Vec<(String, Option<Range<usize>>)>;

/// Reads an array of strings, keeping each element's span.
fn string_list(ctx: &Ctx<'_>, field: &str, key: &Key, item: &Item) -> Result<Items, ConfigError> {
    let element_error = |kind: &str, span: Option<Range<usize>>| {
        let kind = (kind.strip_prefix("an ").or_else(|| kind.strip_prefix("a "))).unwrap_or(kind);
        ctx.error(
            span.or_else(|| value_span(key, item)),
            format!("`{field}` must be an array of strings, found {kind} element"),
        )
    };
    match item {
        Item::Value(Value::Array(array)) => array
            .iter()
            .map(|value| match value.as_str() {
                Some(s) => Ok((s.to_string(), value.span())),
                None => Err(element_error(value_type_name(value), value.span())),
            })
            .collect(),
        // `[[tenant.tables]]`: an array whose first element is a table.
        Item::ArrayOfTables(tables) => Err(element_error(
            "a table",
            tables.iter().next().and_then(|t| t.span()),
        )),
        _ => Err(ctx.error(
            value_span(key, item),
            format!(
                "`{field}` must be an array of strings, found {}",
                type_name(item)
            ),
        )),
    }
}

/// Validates every name with `valid`, dropping duplicates but keeping order.
fn check_names(
    ctx: &Ctx<'_>,
    field: &str,
    items: Items,
    what: &str,
    valid: fn(&str) -> bool,
) -> Result<Vec<String>, ConfigError> {
    let mut out = Vec::with_capacity(items.len());
    for (item, span) in items {
        if !valid(&item) {
            let expected = match what {
                "column" => "letters, digits and `_`",
                "table" => "letters, digits and `_`, optionally prefixed with `schema.`",
                "call" => "a rust identifier, a `::`-separated path, or `Type::*`",
                _ => "a rust identifier or `::`-separated path",
            };
            return Err(ctx.error(
                span,
                format!("invalid {what} name `{item}` in `{field}`; expected {expected}"),
            ));
        }
        if !out.contains(&item) {
            out.push(item);
        }
    }
    Ok(out)
}

/// A plain SQL identifier: ASCII letters, digits and `_`, not starting with a digit.
fn is_sql_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `table` or `schema.table`.
fn is_table_name(s: &str) -> bool {
    match s.split_once('.') {
        Some((schema, table)) => is_sql_ident(schema) && is_sql_ident(table),
        None => is_sql_ident(s),
    }
}

/// A call pattern: a path, or `Type::*` for every associated function.
fn is_call_pattern(s: &str) -> bool {
    is_rust_path(s.strip_suffix("::*").unwrap_or(s))
}

/// A Rust identifier, optionally a `::`-separated path (`Org::unscoped_all`).
fn is_rust_path(s: &str) -> bool {
    let s = s.strip_prefix("::").unwrap_or(s);
    !s.is_empty()
        && s.split("::").all(|seg| {
            let mut chars = seg.chars();
            matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
                && chars.all(|c| c.is_alphanumeric() || c == '_')
        })
}

/// The closest candidate to `name` if it is a plausible typo.
fn suggest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let threshold = (name.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| (edit_distance(&lower, &c.to_lowercase()), *c))
        .filter(|(d, _)| *d <= threshold)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(prev2[j - 2] + 1);
            }
            cur[j] = best;
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

/// Compiles the patterns of `field`, each with the span of its string.
///
/// On failure returns the span to point at (the pattern's, or `list_span`
/// when only the whole set fails) and the message.
fn compile_globs(
    field: &str,
    patterns: &[(String, Option<Range<usize>>)],
    list_span: Option<Range<usize>>,
) -> Result<GlobSet, (Option<Range<usize>>, String)> {
    let mut builder = GlobSetBuilder::new();
    for (pattern, span) in patterns {
        let body = pattern
            .strip_prefix("./")
            .unwrap_or(pattern)
            .trim_matches('/');
        if body.is_empty() {
            return Err((span.clone(), format!("empty glob `{pattern}` in `{field}`")));
        }
        for variant in glob_variants(pattern) {
            let glob = GlobBuilder::new(&variant)
                .literal_separator(true)
                .build()
                .map_err(|e| {
                    let message = format!("invalid glob `{pattern}` in `{field}`: {}", e.kind());
                    (span.clone(), message)
                })?;
            builder.add(glob);
        }
    }
    builder.build().map_err(|e| {
        let message = format!("invalid globs in `{field}`: {}", e.kind());
        (list_span, message)
    })
}

/// The glob patterns actually compiled for one user pattern.
///
/// Patterns are matched against root-relative paths with `/` separators. A
/// leading `/` or `./` anchors the pattern at the root; a pattern without any
/// other `/` also matches at any depth (`*.gen.rs` → `**/*.gen.rs`), and every
/// pattern also matches everything below a directory it names
/// (`src/generated` → `src/generated/**`), as in `.gitignore`.
fn glob_variants(pattern: &str) -> Vec<String> {
    let (anchored, body) = if let Some(rest) = pattern.strip_prefix("./") {
        (true, rest)
    } else if let Some(rest) = pattern.strip_prefix('/') {
        (true, rest)
    } else {
        (false, pattern)
    };
    let body = body.strip_suffix('/').unwrap_or(body);
    let mut bases = vec![body.to_string()];
    if !anchored && !body.contains('/') && !body.starts_with("**") {
        bases.push(format!("**/{body}"));
    }
    let mut out = Vec::new();
    for base in bases {
        let dir = (!base.ends_with("**")).then(|| format!("{base}/**"));
        out.push(base);
        out.extend(dir);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    const RULES: &[&str] = &[
        "unscoped-query",
        "unscoped-sql",
        "superuser-access",
        "tenant-index-order",
        "tenant-table-unindexed",
        "session-search-path",
        "missing-rls",
        "parse-error",
    ];

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::from_str(text, Path::new("tenant-lint.toml"), RULES)
    }

    fn err(text: &str) -> ConfigError {
        match parse(text) {
            Ok(c) => panic!("expected an error, got {c:?}"),
            Err(e) => e,
        }
    }

    /// The source text the error's span covers.
    fn spanned(e: &ConfigError) -> String {
        let span = e.span.clone().expect("error has a span");
        e.source_text.as_deref().expect("error has source text")[span].to_string()
    }

    fn write(path: &Path, text: &str) {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(path, text).unwrap();
    }

    const PACKAGE: &str = "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n";

    #[test]
    fn defaults() {
        let c = Config::default();
        assert_eq!(c.path, None);
        assert_eq!(
            c.tenant.columns,
            ["tenant_id", "org_id", "organization_id", "workspace_id"]
        );
        assert!(c.tenant.tables.is_empty() && c.tenant.ignore_tables.is_empty());
        assert!(c.tenant.scope_methods.is_empty() && c.tenant.types.is_empty());
        assert!(c.superuser.calls.is_empty() && c.superuser.allowed_paths.is_empty());
        assert!(c.superuser.allowed_set.is_empty());
        assert!(c.rules.is_empty());
        assert!(c.files.exclude.is_empty() && c.files.exclude_set.is_empty());
        assert!(!c.files.include_tests);

        let parsed = parse("").unwrap();
        assert_eq!(parsed.path.as_deref(), Some(Path::new("tenant-lint.toml")));
        assert_eq!(parsed.tenant.columns, DEFAULT_TENANT_COLUMNS);
        assert!(parsed.rules.is_empty());
    }

    #[test]
    fn full_example() {
        let text = r#"
[tenant]
columns = ["org_id"]
tables = ["audit_log", "billing.invoices"]
ignore-tables = ["plans"]
scope-methods = ["secure_find", "for_org"]
types = ["OrgId", "TenantContext"]
trusted-sources = ["MemberPath", "authz::resolve_org"]
authorize-functions = ["ensure_member"]
[superuser]
calls = ["unscoped_all", "cross_org"]
allowed-paths = ["src/admin/**"]
[rules]
tenant-index-order = "error"
missing-rls = "warn"
unscoped-sql = "off"
[files]
exclude = ["src/generated/**"]
include-tests = true
"#;
        let c = parse(text).unwrap();
        assert_eq!(c.tenant.columns, ["org_id"]);
        assert_eq!(c.tenant.tables, ["audit_log", "billing.invoices"]);
        assert_eq!(c.tenant.ignore_tables, ["plans"]);
        assert_eq!(c.tenant.scope_methods, ["secure_find", "for_org"]);
        assert_eq!(c.tenant.types, ["OrgId", "TenantContext"]);
        assert_eq!(
            c.tenant.trusted_sources,
            ["MemberPath", "authz::resolve_org"]
        );
        assert_eq!(c.tenant.authorize_functions, ["ensure_member"]);
        assert_eq!(c.superuser.calls, ["unscoped_all", "cross_org"]);
        assert_eq!(c.superuser.allowed_paths, ["src/admin/**"]);
        assert!(c.superuser.allowed_set.is_match("src/admin/users.rs"));
        assert!(!c.superuser.allowed_set.is_match("src/api/users.rs"));
        assert_eq!(c.rules.len(), 3);
        assert_eq!(c.rule_level("tenant-index-order"), Some(Level::Error));
        assert_eq!(c.rule_level("missing-rls"), Some(Level::Warn));
        assert_eq!(c.rule_level("unscoped-sql"), Some(Level::Off));
        assert_eq!(c.rule_level("unscoped-query"), None);
        assert_eq!(c.files.exclude, ["src/generated/**"]);
        assert!(c.files.exclude_set.is_match("src/generated/schema.rs"));
        assert!(c.files.include_tests);
    }

    #[test]
    fn columns_replace_the_defaults() {
        let c = parse("[tenant]\ncolumns = [\"account_id\"]\n").unwrap();
        assert_eq!(c.tenant.columns, ["account_id"]);
        // Other tenant keys leave the default columns alone.
        let c = parse("[tenant]\ntables = [\"audit_log\"]\n").unwrap();
        assert_eq!(c.tenant.columns, DEFAULT_TENANT_COLUMNS);
        // Duplicates are dropped, order is kept.
        let c = parse("tenant.columns = [\"b\", \"a\", \"b\"]\n").unwrap();
        assert_eq!(c.tenant.columns, ["b", "a"]);
    }

    #[test]
    fn empty_columns_is_an_error() {
        let e = err("[tenant]\ncolumns = []\n");
        assert_eq!(e.message, "`tenant.columns` must name at least one column");
        assert_eq!((e.line, e.column), (2, 11));
        assert_eq!(spanned(&e), "[]");
        assert_eq!(
            e.display_line(),
            "tenant-lint.toml:2:11: `tenant.columns` must name at least one column"
        );
    }

    #[test]
    fn unknown_key_suggests_closest() {
        let text = "[files]\ninclude-tests = false\n  exlude = [\"a\"]\n";
        let e = err(text);
        assert_eq!(
            e.message,
            "unknown key `exlude` in `[files]`; did you mean `exclude`?"
        );
        assert_eq!((e.line, e.column), (3, 3));
        assert_eq!(e.span, Some(32..38));
        assert_eq!(spanned(&e), "exlude");
        assert_eq!(e.source_text.as_deref(), Some(text));
        assert_eq!(e.path, Path::new("tenant-lint.toml"));
        assert_eq!(
            e.to_string(),
            "tenant-lint.toml:3:3: unknown key `exlude` in `[files]`; did you mean `exclude`?"
        );
    }

    #[test]
    fn unknown_key_without_close_match_lists_known_keys() {
        let e = err("[superuser]\nbanana = 1\n");
        assert_eq!(
            e.message,
            "unknown key `banana` in `[superuser]`; expected one of `calls`, `allowed-paths`"
        );
        assert_eq!((e.line, e.column), (2, 1));
    }

    #[test]
    fn unknown_sections_are_errors() {
        let e = err("\n[tenantt]\ncolumns = [\"a\"]\n");
        assert_eq!(e.message, "unknown key `tenantt`; did you mean `tenant`?");
        assert_eq!((e.line, e.column), (2, 2));
        let e = err("[tenant.extra]\n");
        assert_eq!(e.message, "unknown key `extra` in `[tenant]`; expected one of `columns`, `tables`, `ignore-tables`, `scope-methods`, `types`, `trusted-sources`, `authorize-functions`");
        assert_eq!((e.line, e.column), (1, 9));
    }

    #[test]
    fn dotted_keys_get_positions_too() {
        let e = err("files.exlude = []\n");
        assert_eq!(
            e.message,
            "unknown key `exlude` in `[files]`; did you mean `exclude`?"
        );
        assert_eq!((e.line, e.column), (1, 7));
        assert_eq!(spanned(&e), "exlude");
        let e = err("[files]\ninclude_tests.x = 1\n");
        assert_eq!(
            e.message,
            "unknown key `include_tests` in `[files]`; did you mean `include-tests`?"
        );
        assert_eq!((e.line, e.column), (2, 1));
        let c = parse("rules.missing-rls = \"off\"\nfiles.include-tests = true\n").unwrap();
        assert_eq!(c.rule_level("missing-rls"), Some(Level::Off));
        assert!(c.files.include_tests);
    }

    #[test]
    fn wrong_type_is_positioned_at_the_value() {
        let e = err("[files]\ninclude-tests = \"yes\"\n");
        assert_eq!(
            e.message,
            "`files.include-tests` must be a boolean, found a string"
        );
        assert_eq!((e.line, e.column), (2, 17));
        assert_eq!(spanned(&e), "\"yes\"");

        let e = err("[tenant]\ntables = \"audit_log\"\n");
        assert_eq!(
            e.message,
            "`tenant.tables` must be an array of strings, found a string"
        );
        assert_eq!((e.line, e.column), (2, 10));

        let e = err("[tenant]\nauthorize-functions = \"ensure_member\"\n");
        assert_eq!(
            e.message,
            "`tenant.authorize-functions` must be an array of strings, found a string"
        );
        let e = err("[tenant]\nscope-methods = [\"ok\", 3]\n");
        assert_eq!(
            e.message,
            "`tenant.scope-methods` must be an array of strings, found integer element"
        );
        assert_eq!((e.line, e.column), (2, 24));

        let e = err("rules = [\"missing-rls\"]\n");
        assert_eq!(
            e.message,
            "`rules` must be a table (`[rules]`), found an array"
        );
        assert_eq!((e.line, e.column), (1, 9));

        let e = err("[files]\ninclude-tests = 1979-05-27\n");
        assert_eq!(
            e.message,
            "`files.include-tests` must be a boolean, found a datetime"
        );
        assert_eq!(spanned(&e), "1979-05-27");
    }

    #[test]
    fn bad_severity_for_known_rule() {
        let e = err("[rules]\nmissing-rls = \"warn\"\ntenant-index-order = \"fatal\"\n");
        assert_eq!(e.message, "invalid level `fatal` for rule `tenant-index-order`; expected `error`, `warn` (or `warning`) or `off`");
        assert_eq!((e.line, e.column), (3, 22));
        assert_eq!(spanned(&e), "\"fatal\"");

        let e = err("[rules]\nmissing-rls = true\n");
        assert_eq!(
            e.message,
            "level of rule `missing-rls` must be a string (`error`, `warn` (or `warning`) or `off`), found a boolean"
        );
        assert_eq!((e.line, e.column), (2, 15));
    }

    #[test]
    fn unknown_rule_suggests_known_rule() {
        let e = err("[rules]\nunscoped-qurey = \"off\"\n");
        assert_eq!(
            e.message,
            "unknown rule `unscoped-qurey` in `[rules]`; did you mean `unscoped-query`?"
        );
        assert_eq!((e.line, e.column), (2, 1));
        assert_eq!(spanned(&e), "unscoped-qurey");

        let e = err("[rules]\ncompletely-different = \"off\"\n");
        assert!(e.message.starts_with("unknown rule `completely-different` in `[rules]`; known rules are `unscoped-query`"), "{}", e.message);
    }

    #[test]
    fn invalid_glob_reports_globset_message() {
        let e = err("[files]\nexclude = [\"ok/**\", \"src/[\"]\n");
        assert_eq!(
            e.message,
            "invalid glob `src/[` in `files.exclude`: unclosed character class; missing ']'"
        );
        assert_eq!((e.line, e.column), (2, 21));
        assert_eq!(spanned(&e), "\"src/[\"");

        let e = err("[superuser]\nallowed-paths = [\"a/{b\"]\n");
        assert!(
            e.message.starts_with(
                "invalid glob `a/{b` in `superuser.allowed-paths`: unclosed alternate group"
            ),
            "{}",
            e.message
        );
        assert_eq!((e.line, e.column), (2, 18));

        let e = err("[files]\nexclude = [\"\"]\n");
        assert_eq!(e.message, "empty glob `` in `files.exclude`");
    }

    #[test]
    fn invalid_names_are_rejected() {
        let e = err("[tenant]\ncolumns = [\"org id\"]\n");
        assert_eq!(
            e.message,
            "invalid column name `org id` in `tenant.columns`; expected letters, digits and `_`"
        );
        assert_eq!((e.line, e.column), (2, 12));
        let e = err("[tenant]\ncolumns = [\"public.org_id\"]\n");
        assert!(
            e.message.starts_with("invalid column name `public.org_id`"),
            "{}",
            e.message
        );
        let e = err("[tenant]\ntables = [\"a.b.c\"]\n");
        assert!(
            e.message
                .starts_with("invalid table name `a.b.c` in `tenant.tables`"),
            "{}",
            e.message
        );
        let e = err("[tenant]\nignore-tables = [\"plans;\"]\n");
        assert!(
            e.message
                .starts_with("invalid table name `plans;` in `tenant.ignore-tables`"),
            "{}",
            e.message
        );
        let e = err("[superuser]\ncalls = [\"\"]\n");
        assert!(
            e.message
                .starts_with("invalid call name `` in `superuser.calls`"),
            "{}",
            e.message
        );
        let e = err("[tenant]\ntypes = [\"Org Id\"]\n");
        assert!(
            e.message.starts_with("invalid type name `Org Id`"),
            "{}",
            e.message
        );

        let c = parse(
            "[tenant]\ntables = [\"billing.audit_log\", \"_t2\"]\ntypes = [\"crate::OrgId\"]\n",
        )
        .unwrap();
        assert_eq!(c.tenant.tables, ["billing.audit_log", "_t2"]);
        assert_eq!(c.tenant.types, ["crate::OrgId"]);
    }

    #[test]
    fn invalid_toml_syntax_has_position() {
        let e = err("[files]\ninclude-tests = false\n[rules\n");
        assert!(e.message.starts_with("invalid toml: "), "{}", e.message);
        assert!(!e.message.contains('\n'));
        assert_eq!((e.line, e.column), (3, 7));
        let e = err("[tenant]\ncolumns = [\"a\",\n");
        assert!(e.message.starts_with("invalid toml: "), "{}", e.message);
        assert_eq!(e.line, 3);
        let e = err("[files]\ninclude-tests = true\ninclude-tests = false\n");
        assert_eq!(
            e.message,
            "invalid toml: duplicate key `include-tests` in table `files`"
        );
        assert_eq!((e.line, e.column), (3, 1));
    }

    #[test]
    fn columns_are_counted_in_characters() {
        let e = err("# é ü\n[files]\n\"é\" = 1\n");
        assert_eq!(e.line, 3);
        assert_eq!(e.column, 1);
        let e = err("[files]\nexclude = [\"é/**\", \"ü[\"]\n");
        assert_eq!((e.line, e.column), (2, 20));
        assert_eq!(e.span, Some(28..33));
        assert_eq!(spanned(&e), "\"ü[\"");
    }

    #[test]
    fn globs_match_like_users_expect() {
        let c = parse(
            "[files]\nexclude = [\"src/admin/**\", \"generated.rs\", \"*.gen.rs\", \"src/*.tmp.rs\", \"vendor/\", \"/top.rs\"]\n",
        )
        .unwrap();
        let set = &c.files.exclude_set;
        assert!(set.is_match("src/admin/users.rs"));
        assert!(set.is_match("src/admin/deep/nested.rs"));
        assert!(!set.is_match("src/administrator.rs"));
        assert!(set.is_match("generated.rs"));
        assert!(set.is_match("a/b/generated.rs"));
        assert!(!set.is_match("a/b/not_generated.rs"));
        assert!(set.is_match("x.gen.rs"));
        assert!(set.is_match("crates/db/src/x.gen.rs"));
        assert!(set.is_match("src/a.tmp.rs"));
        assert!(!set.is_match("src/deep/a.tmp.rs"), "`*` must not cross `/`");
        assert!(set.is_match("vendor/lib/x.rs"));
        assert!(set.is_match("crates/vendor/x.rs"));
        assert!(set.is_match("top.rs"));
        assert!(
            !set.is_match("src/top.rs"),
            "a leading `/` anchors the pattern"
        );
        assert!(!set.is_match("src/main.rs"));
        assert_eq!(c.files.exclude.len(), 6, "patterns are stored as written");
        assert_eq!(c.files.exclude[4], "vendor/");
    }

    #[test]
    fn directory_patterns_cover_their_contents() {
        let c = parse("[superuser]\nallowed-paths = [\"src/admin\"]\n").unwrap();
        assert!(c.superuser.allowed_set.is_match("src/admin"));
        assert!(c.superuser.allowed_set.is_match("src/admin/mod.rs"));
        assert!(!c
            .superuser
            .allowed_set
            .is_match("crates/x/src/admin/mod.rs"));
    }

    #[test]
    fn display_line_formats() {
        let e = ConfigError::unpositioned(Path::new("cfg.toml"), "no such file".into());
        assert_eq!(e.display_line(), "cfg.toml: no such file");
        assert_eq!(e.to_string(), "cfg.toml: no such file");
        let e = err("[x]\n");
        assert_eq!(e.to_string(), "tenant-lint.toml:1:2: unknown key `x`; expected one of `tenant`, `superuser`, `rules`, `files`, `rls`");
    }

    #[test]
    fn levels() {
        assert_eq!(Level::parse("off"), Some(Level::Off));
        assert_eq!(Level::parse("warn"), Some(Level::Warn));
        assert_eq!(Level::parse("warning"), Some(Level::Warn));
        assert_eq!(Level::parse("error"), Some(Level::Error));
        assert_eq!(Level::parse("Error"), None);
        assert_eq!("warn".parse::<Level>(), Ok(Level::Warn));
        assert!("fatal".parse::<Level>().is_err());
        assert!(Level::Off < Level::Warn && Level::Warn < Level::Error);
        assert_eq!(Level::Warn.to_string(), "warn");
        assert_eq!(serde_json::to_string(&Level::Error).unwrap(), "\"error\"");
        assert_eq!(serde_json::to_string(&Level::Off).unwrap(), "\"off\"");
    }

    #[test]
    fn suggestions() {
        assert_eq!(edit_distance("exlude", "exclude"), 1);
        assert_eq!(edit_distance("unscoped-qurey", "unscoped-query"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(suggest("tabels", TENANT_KEYS), Some("tables"));
        assert_eq!(suggest("Columns", TENANT_KEYS), Some("columns"));
        assert_eq!(suggest("xyz", TENANT_KEYS), None);
        assert_eq!(suggest("anything", &[]), None);
    }

    #[test]
    fn cargo_package_metadata_found_from_nested_dir() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            &root.join("Cargo.toml"),
            &format!("{PACKAGE}[package.metadata.tenant-lint]\ntenant.columns = [\"account_id\"]\nrules.missing-rls = \"off\"\n"),
        );
        let nested = root.join("src/api/v1");
        fs::create_dir_all(&nested).unwrap();
        let c = find_and_load(&nested, None, RULES)
            .unwrap()
            .expect("config found");
        assert_eq!(c.path.as_deref(), Some(root.join("Cargo.toml").as_path()));
        assert_eq!(c.tenant.columns, ["account_id"]);
        assert_eq!(c.rule_level("missing-rls"), Some(Level::Off));

        // Starting from a file uses its directory.
        let file = nested.join("handlers.rs");
        write(&file, "fn main() {}\n");
        let c = find_and_load(&file, None, RULES)
            .unwrap()
            .expect("config found");
        assert_eq!(c.tenant.columns, ["account_id"]);

        // `..` components are resolved lexically.
        let c = find_and_load(&nested.join("..").join(".."), None, RULES)
            .unwrap()
            .expect("config found");
        assert_eq!(c.tenant.columns, ["account_id"]);
    }

    #[test]
    fn cargo_without_table_does_not_stop_the_walk() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            &root.join("tenant-lint.toml"),
            "[tenant]\ncolumns = [\"org_id\"]\n",
        );
        // A member crate with metadata for some other tool only.
        write(
            &root.join("crates/api/Cargo.toml"),
            &format!("{PACKAGE}[package.metadata.docs.rs]\nall-features = true\n"),
        );
        // An invalid Cargo.toml that does not mention us is skipped silently.
        write(
            &root.join("crates/api/src/Cargo.toml"),
            "this is [not toml\n",
        );
        let c = find_and_load(&root.join("crates/api/src"), None, RULES)
            .unwrap()
            .expect("config found");
        assert_eq!(
            c.path.as_deref(),
            Some(root.join("tenant-lint.toml").as_path())
        );
        assert_eq!(c.tenant.columns, ["org_id"]);
    }

    #[test]
    fn invalid_cargo_mentioning_us_is_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(&root.join("tenant-lint.toml"), "");
        write(
            &root.join("sub/Cargo.toml"),
            "[package.metadata.tenant-lint\ncolumns = []\n",
        );
        let e = find_and_load(&root.join("sub"), None, RULES).unwrap_err();
        assert_eq!(e.path, root.join("sub/Cargo.toml"));
        assert!(e.message.starts_with("invalid toml: "), "{}", e.message);
        assert_eq!(e.line, 1);
    }

    #[test]
    fn tenant_lint_toml_wins_over_cargo_in_same_dir() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            &root.join("tenant-lint.toml"),
            "[tenant]\ncolumns = [\"from_file\"]\n",
        );
        write(
            &root.join("Cargo.toml"),
            &format!(
                "{PACKAGE}[package.metadata.tenant-lint]\ntenant.columns = [\"from_cargo\"]\n"
            ),
        );
        let c = find_and_load(root, None, RULES)
            .unwrap()
            .expect("config found");
        assert_eq!(c.tenant.columns, ["from_file"]);
        assert_eq!(
            c.path.as_deref(),
            Some(root.join("tenant-lint.toml").as_path())
        );
    }

    #[test]
    fn nearest_directory_wins() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            &root.join("tenant-lint.toml"),
            "[tenant]\ncolumns = [\"outer\"]\n",
        );
        write(
            &root.join("inner/Cargo.toml"),
            &format!("{PACKAGE}[package.metadata.tenant-lint]\ntenant.columns = [\"inner\"]\n"),
        );
        let c = find_and_load(&root.join("inner"), None, RULES)
            .unwrap()
            .expect("config found");
        assert_eq!(c.tenant.columns, ["inner"]);
    }

    #[test]
    fn workspace_metadata_wins_over_package() {
        let tmp = tempfile::tempdir().unwrap();
        let text = format!(
            "{PACKAGE}[package.metadata.tenant-lint]\ntenant.columns = [\"pkg\"]\n\n[workspace]\nmembers = []\n\n[workspace.metadata.tenant-lint.tenant]\ncolumns = [\"ws\"]\n"
        );
        write(&tmp.path().join("Cargo.toml"), &text);
        let c = find_and_load(tmp.path(), None, RULES)
            .unwrap()
            .expect("config found");
        assert_eq!(c.tenant.columns, ["ws"]);
    }

    #[test]
    fn errors_inside_cargo_metadata_point_into_cargo_toml() {
        let tmp = tempfile::tempdir().unwrap();
        let cargo = tmp.path().join("Cargo.toml");
        let text = format!("{PACKAGE}[dependencies]\nserde = \"1\"\n\n[package.metadata.tenant-lint.files]\ninclude-tests = false\nexlude = [\"x\"]\n");
        write(&cargo, &text);
        let e = find_and_load(tmp.path(), None, RULES).unwrap_err();
        assert_eq!(e.path, cargo);
        assert_eq!(e.message, "unknown key `exlude` in `[package.metadata.tenant-lint.files]`; did you mean `exclude`?");
        assert_eq!((e.line, e.column), (10, 1));
        assert_eq!(spanned(&e), "exlude");
        assert_eq!(e.source_text.as_deref(), Some(text.as_str()));

        // Same through an explicit --config Cargo.toml, and for value errors.
        let text = format!(
            "{PACKAGE}[package.metadata.tenant-lint]\nrules = {{ missing-rls = \"fatal\" }}\n"
        );
        write(&cargo, &text);
        let e = load_file(&cargo, RULES).unwrap_err();
        assert_eq!(
            e.message,
            "invalid level `fatal` for rule `missing-rls`; expected `error`, `warn` (or `warning`) or `off`"
        );
        assert_eq!((e.line, e.column), (6, 25));
        assert_eq!(spanned(&e), "\"fatal\"");
    }

    #[test]
    fn load_file_reads_either_format() {
        let tmp = tempfile::tempdir().unwrap();
        let custom = tmp.path().join("custom.toml");
        write(&custom, "[files]\ninclude-tests = true\n");
        let c = load_file(&custom, RULES).unwrap();
        assert!(c.files.include_tests);
        assert_eq!(c.path.as_deref(), Some(custom.as_path()));

        let cargo = tmp.path().join("Cargo.toml");
        write(
            &cargo,
            &format!("{PACKAGE}[package.metadata.tenant-lint]\nfiles.include-tests = true\n"),
        );
        let c = load_file(&cargo, RULES).unwrap();
        assert!(c.files.include_tests);
        assert_eq!(c.path.as_deref(), Some(cargo.as_path()));

        write(&cargo, PACKAGE);
        let e = load_file(&cargo, RULES).unwrap_err();
        assert_eq!(e.line, 0);
        assert!(
            e.message.contains("[package.metadata.tenant-lint]"),
            "{}",
            e.message
        );
    }

    #[test]
    fn unreadable_file_has_no_position() {
        let tmp = tempfile::tempdir().unwrap();
        let missing = tmp.path().join("nope.toml");
        let e = load_file(&missing, RULES).unwrap_err();
        assert_eq!((e.line, e.column), (0, 0));
        assert_eq!(e.span, None);
        assert_eq!(e.source_text, None);
        assert_eq!(e.path, missing);
        assert!(!e.message.is_empty());
        assert_eq!(
            e.to_string(),
            format!("{}: {}", missing.display(), e.message)
        );
    }

    #[test]
    fn nothing_found_returns_none() {
        let tmp = tempfile::tempdir().unwrap();
        let ancestors_clean = tmp
            .path()
            .ancestors()
            .all(|d| !d.join("tenant-lint.toml").exists() && !d.join("Cargo.toml").exists());
        if !ancestors_clean {
            return; // the machine's temp dir lives under a project; nothing to assert
        }
        let dir = tmp.path().join("a/b");
        fs::create_dir_all(&dir).unwrap();
        assert!(find_and_load(&dir, None, RULES).unwrap().is_none());
    }

    #[test]
    fn relative_paths_are_displayed_relative() {
        let base = Path::new("/work/proj");
        assert_eq!(
            display_path(Path::new("/work/proj/tenant-lint.toml"), Some(base)),
            Path::new("tenant-lint.toml")
        );
        assert_eq!(
            display_path(Path::new("/work/Cargo.toml"), Some(base)),
            Path::new("/work/Cargo.toml")
        );
        assert_eq!(
            display_path(Path::new("/work/Cargo.toml"), None),
            Path::new("/work/Cargo.toml")
        );
        assert_eq!(normalize(Path::new("/a/./b/../c")), Path::new("/a/c"));
    }
}
