//! Finding and reading configuration: the walk up from the start directory
//! (stopping at the repository root), `tenant-lint.toml` or a `Cargo.toml`'s
//! `metadata.tenant-lint` table, and parsing with `toml_edit`, whose
//! [`ImDocument`] keeps the byte span of every key and value so that
//! [`validate`](super::validate) can position its errors.

use crate::workspace::normalize;
use std::path::{Path, PathBuf};

use toml_edit::{ImDocument, Item, Table};

use super::types::{Config, ConfigError};
use super::validate::{build_config, type_name, value_span, Ctx};
use super::{CARGO_FILE_NAME, CONFIG_FILE_NAME};

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

/// Shows `path` relative to `base` when it lies inside it (used when the user gave a relative start).
pub(super) fn display_path(path: &Path, base: Option<&Path>) -> PathBuf {
    match base.map(normalize) {
        Some(base) => match path.strip_prefix(&base) {
            Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
            _ => path.to_path_buf(),
        },
        None => path.to_path_buf(),
    }
}
