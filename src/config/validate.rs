//! From a parsed TOML table to a [`Config`]: every key known, every value of
//! the right type and shape, every error positioned with the spans
//! `toml_edit` keeps on the document's keys and values.
//!
//! The table is the whole `tenant-lint.toml` document, or the
//! `metadata.tenant-lint` table of a `Cargo.toml`; either way spans are
//! offsets into the file read, so errors point into that file.

use std::collections::BTreeMap;
use std::ops::Range;

use toml_edit::{Item, Key, TableLike, Value};

use super::types::{
    Config, ConfigError, FilesConfig, Level, ReachConfig, RlsConfig, SuperuserConfig, TenantConfig,
};

/// Where a table comes from: the file, its text, and where in it the table sits.
pub(super) struct Ctx<'a> {
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
pub(super) fn value_span(key: &Key, item: &Item) -> Option<Range<usize>> {
    item.span().or_else(|| key.span())
}

/// The entries of a table or inline table, in document order.
fn entries(table: &dyn TableLike) -> impl Iterator<Item = (&Key, &Item)> {
    table
        .iter()
        .filter_map(|(name, _)| table.get_key_value(name))
}

/// "a string", "an array", ...: the kind of value a type error found.
pub(super) fn type_name(item: &Item) -> &'static str {
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

const TOP_KEYS: &[&str] = &["tenant", "superuser", "rules", "files", "rls", "reach"];
const RLS_KEYS: &[&str] = &["require-force"];
const REACH_KEYS: &[&str] = &["lower", "request", "background"];
/// The kinds of reach `reach.lower` can name.
const LOWERABLE: &[&str] = &["background", "none", "unknown"];
pub(super) const TENANT_KEYS: &[&str] = &[
    "columns",
    "tables",
    "ignore-tables",
    "scope-methods",
    "types",
    "trusted-sources",
    "authorize-functions",
    "root",
];
const SUPERUSER_KEYS: &[&str] = &["calls", "allowed-paths"];
const FILES_KEYS: &[&str] = &["exclude", "include-tests"];

/// Validates the config table `top` into a [`Config`] (without its path).
pub(super) fn build_config(
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
            "reach" => config.reach = build_reach(ctx, table)?,
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
    match did_you_mean(name, known) {
        Some(m) => message.push_str(&m),
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
                tenant.columns_configured = true;
            }
            "root" => {
                // One table, or several.
                let items = match item.as_str() {
                    Some(s) => vec![(s.to_string(), item.span())],
                    None => string_list(ctx, &field, key, item).map_err(|_| {
                        ctx.error(
                            value_span(key, item),
                            format!(
                                "`{field}` must be a table name or an array of them, found {}",
                                type_name(item)
                            ),
                        )
                    })?,
                };
                tenant.root = check_names(ctx, &field, items, "table", is_table_name)?;
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

fn build_reach(ctx: &Ctx<'_>, table: &dyn TableLike) -> Result<ReachConfig, ConfigError> {
    use crate::diagnostic::ReachKind;
    let mut reach = ReachConfig::default();
    for (key, item) in entries(table) {
        let field = format!("reach.{}", key.get());
        match key.get() {
            "lower" => {
                reach.lower.clear();
                for (kind, span) in string_list(ctx, &field, key, item)? {
                    let k = match kind.as_str() {
                        "background" => ReachKind::Background,
                        "none" => ReachKind::None,
                        "unknown" => ReachKind::Unknown,
                        _ => {
                            let mut message = format!("unknown reach kind `{kind}` in `{field}`");
                            match did_you_mean(&kind, LOWERABLE) {
                                Some(m) => message.push_str(&m),
                                None => message.push_str(&format!(
                                    "; expected some of {} (a finding reached from a request keeps its severity)",
                                    list(LOWERABLE)
                                )),
                            }
                            return Err(ctx.error(span, message));
                        }
                    };
                    if !reach.lower.contains(&k) {
                        reach.lower.push(k);
                    }
                }
            }
            "request" | "background" => {
                let items = string_list(ctx, &field, key, item)?;
                let names = check_names(ctx, &field, items, "function", is_rust_path)?;
                if key.get() == "request" {
                    reach.request = names;
                } else {
                    reach.background = names;
                }
            }
            _ => return Err(unknown_key(ctx, key, "reach", REACH_KEYS)),
        }
    }
    Ok(reach)
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
            match did_you_mean(name, known_rules) {
                Some(m) => message.push_str(&m),
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
) -> Result<(Vec<String>, globset::GlobSet), ConfigError> {
    let items = string_list(ctx, field, key, item)?;
    let set = super::globs::compile(field, &items, value_span(key, item))
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

/// `; did you mean `x`?` when `name` is a plausible typo of candidate
/// `x`: the one wording of the suggestion, in config and command-line
/// errors alike.
pub(crate) fn did_you_mean(name: &str, candidates: &[&str]) -> Option<String> {
    suggest(name, candidates).map(|s| format!("; did you mean `{s}`?"))
}

/// The closest candidate to `name` if it is a plausible typo.
pub(super) fn suggest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
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
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
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
