//! Loading and validation seen from outside: positions, messages, the walk
//! up to a config, Cargo.toml metadata, globs and suggestions.

use super::load::display_path;
use super::validate::{edit_distance, suggest, TENANT_KEYS};
use super::*;
use crate::workspace::normalize;
use std::fs;
use std::path::Path;

/// The rule ids the config accepts: the registry's.
static RULES: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(crate::rules::known_ids);

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::from_str(text, Path::new("tenant-lint.toml"), &RULES)
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
    assert_eq!(e.message, "unknown key `extra` in `[tenant]`; expected one of `columns`, `tables`, `ignore-tables`, `scope-methods`, `types`, `trusted-sources`, `authorize-functions`, `root`");
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
    assert!(
        e.message.starts_with(
            "unknown rule `completely-different` in `[rules]`; known rules are `unscoped-query`"
        ),
        "{}",
        e.message
    );
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

    let c =
        parse("[tenant]\ntables = [\"billing.audit_log\", \"_t2\"]\ntypes = [\"crate::OrgId\"]\n")
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
    assert_eq!(e.to_string(), "tenant-lint.toml:1:2: unknown key `x`; expected one of `tenant`, `superuser`, `rules`, `files`, `rls`, `reach`");
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
    let c = find_and_load(&nested, None, &RULES)
        .unwrap()
        .expect("config found");
    assert_eq!(c.path.as_deref(), Some(root.join("Cargo.toml").as_path()));
    assert_eq!(c.tenant.columns, ["account_id"]);
    assert_eq!(c.rule_level("missing-rls"), Some(Level::Off));

    // Starting from a file uses its directory.
    let file = nested.join("handlers.rs");
    write(&file, "fn main() {}\n");
    let c = find_and_load(&file, None, &RULES)
        .unwrap()
        .expect("config found");
    assert_eq!(c.tenant.columns, ["account_id"]);

    // `..` components are resolved lexically.
    let c = find_and_load(&nested.join("..").join(".."), None, &RULES)
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
    let c = find_and_load(&root.join("crates/api/src"), None, &RULES)
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
    let e = find_and_load(&root.join("sub"), None, &RULES).unwrap_err();
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
        &format!("{PACKAGE}[package.metadata.tenant-lint]\ntenant.columns = [\"from_cargo\"]\n"),
    );
    let c = find_and_load(root, None, &RULES)
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
    let c = find_and_load(&root.join("inner"), None, &RULES)
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
    let c = find_and_load(tmp.path(), None, &RULES)
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
    let e = find_and_load(tmp.path(), None, &RULES).unwrap_err();
    assert_eq!(e.path, cargo);
    assert_eq!(
        e.message,
        "unknown key `exlude` in `[package.metadata.tenant-lint.files]`; did you mean `exclude`?"
    );
    assert_eq!((e.line, e.column), (10, 1));
    assert_eq!(spanned(&e), "exlude");
    assert_eq!(e.source_text.as_deref(), Some(text.as_str()));

    // Same through an explicit --config Cargo.toml, and for value errors.
    let text =
        format!("{PACKAGE}[package.metadata.tenant-lint]\nrules = {{ missing-rls = \"fatal\" }}\n");
    write(&cargo, &text);
    let e = load_file(&cargo, &RULES).unwrap_err();
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
    let c = load_file(&custom, &RULES).unwrap();
    assert!(c.files.include_tests);
    assert_eq!(c.path.as_deref(), Some(custom.as_path()));

    let cargo = tmp.path().join("Cargo.toml");
    write(
        &cargo,
        &format!("{PACKAGE}[package.metadata.tenant-lint]\nfiles.include-tests = true\n"),
    );
    let c = load_file(&cargo, &RULES).unwrap();
    assert!(c.files.include_tests);
    assert_eq!(c.path.as_deref(), Some(cargo.as_path()));

    write(&cargo, PACKAGE);
    let e = load_file(&cargo, &RULES).unwrap_err();
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
    let e = load_file(&missing, &RULES).unwrap_err();
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
    assert!(find_and_load(&dir, None, &RULES).unwrap().is_none());
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

/// Message, position and highlighted text for the shapes a config takes
/// (CRLF, BOM, tabs, multi-byte text, inline tables, arrays of tables, no
/// final newline). Each row is what the reference binary of 1fe1378 (the
/// serde_spanned-protocol loader) printed for the same file.
#[test]
fn cases_keep_their_message_and_position() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("[tenantt]\ncolumns = [\"a\"]\n", "tenant-lint.toml:1:2: unknown key `tenantt`; did you mean `tenant`?", Some("tenantt")),
        ("[tenant]\ncolums = [\"org_id\"]\n", "tenant-lint.toml:2:1: unknown key `colums` in `[tenant]`; did you mean `columns`?", Some("colums")),
        ("[rls]\nrequire_force = true\n", "tenant-lint.toml:2:1: unknown key `require_force` in `[rls]`; did you mean `require-force`?", Some("require_force")),
        ("[rls]\nrequire-force = \"yes\"\n", "tenant-lint.toml:2:17: `rls.require-force` must be a boolean, found a string", Some("\"yes\"")),
        ("[tenant]\ncolumns = { a = 1 }\n", "tenant-lint.toml:2:11: `tenant.columns` must be an array of strings, found a table", Some("{ a = 1 }")),
        ("[superuser]\ncalls = [\"admin::*\", \"a b\"]\n", "tenant-lint.toml:2:22: invalid call name `a b` in `superuser.calls`; expected a rust identifier, a `::`-separated path, or `Type::*`", Some("\"a b\"")),
        ("[files]\ninclude-tests = true\n[files]\nexclude = []\n", "tenant-lint.toml:3:1: invalid toml: invalid table header; duplicate key `files` in document root", Some("[")),
        ("[tenant]\r\ncolumns = [\"org_id\"]\r\n[files]\r\nexlude = [\"x\"]\r\n", "tenant-lint.toml:4:1: unknown key `exlude` in `[files]`; did you mean `exclude`?", Some("exlude")),
        ("# 日本語\r\n[rules]\r\nmissing-rls = \"fätal\"\r\n", "tenant-lint.toml:3:15: invalid level `fätal` for rule `missing-rls`; expected `error`, `warn` (or `warning`) or `off`", Some("\"fätal\"")),
        ("\u{feff}[files]\nexlude = [\"x\"]\n", "tenant-lint.toml:2:1: unknown key `exlude` in `[files]`; did you mean `exclude`?", Some("exlude")),
        ("[files]\n\t\texlude = [\"x\"]\n", "tenant-lint.toml:2:3: unknown key `exlude` in `[files]`; did you mean `exclude`?", Some("exlude")),
        ("[rules]\nmissing-rls = \"fatal\"", "tenant-lint.toml:2:15: invalid level `fatal` for rule `missing-rls`; expected `error`, `warn` (or `warning`) or `off`", Some("\"fatal\"")),
        ("rules = { missing-rls = \"warning\", unscoped-sql = 1 }\n", "tenant-lint.toml:1:51: level of rule `unscoped-sql` must be a string (`error`, `warn` (or `warning`) or `off`), found an integer", Some("1")),
        ("[[tenant.tables]]\nname = \"x\"\n", "tenant-lint.toml:1:1: `tenant.tables` must be an array of strings, found table element", Some("[[tenant.tables]]\nname = \"x\"")),
        ("[tenant]\ntables = [[\"a\"]]\n", "tenant-lint.toml:2:11: `tenant.tables` must be an array of strings, found array element", Some("[\"a\"]")),
        ("files = { exclude = [\"a\", \"b/{c\"] }\n", "tenant-lint.toml:1:27: invalid glob `b/{c` in `files.exclude`: unclosed alternate group; missing '}' (maybe escape '{' with '[{]'?)", Some("\"b/{c\"")),
        ("[superuser]\nallowed-paths = \"src/admin\"\n", "tenant-lint.toml:2:17: `superuser.allowed-paths` must be an array of strings, found a string", Some("\"src/admin\"")),
        ("[tenant.columns]\nx = 1\n", "tenant-lint.toml:1:1: `tenant.columns` must be an array of strings, found a table", Some("[tenant.columns]\nx = 1")),
    ];
    for (text, line, highlighted) in cases {
        let e = err(text);
        assert_eq!(e.display_line(), *line, "{text:?}");
        assert_eq!(e.span.clone().map(|s| &text[s]), *highlighted, "{text:?}");
    }
}

/// A key spelt like toml's private datetime marker is a key like any other
/// (the loader of 1fe1378 took the whole `[tenant]` table for a datetime).
#[test]
fn private_marker_names_are_plain_keys() {
    let e = err("[tenant]\n\"$__toml_private_datetime\" = 1\n");
    assert!(
        e.message
            .starts_with("unknown key `$__toml_private_datetime` in `[tenant]`"),
        "{}",
        e.message
    );
    assert_eq!((e.line, e.column), (2, 1));
}

#[test]
fn reach_section() {
    use crate::diagnostic::ReachKind;
    let c = parse("[reach]\nlower = [\"none\", \"unknown\", \"none\"]\nrequest = [\"api::rpc::dispatch\"]\nbackground = [\"tick\"]\n").expect("valid");
    assert_eq!(c.reach.lower, [ReachKind::None, ReachKind::Unknown]);
    assert_eq!(c.reach.request, ["api::rpc::dispatch"]);
    assert_eq!(c.reach.background, ["tick"]);
    // The default lowers background work and dead code.
    assert_eq!(
        parse("").expect("valid").reach.lower,
        [ReachKind::Background, ReachKind::None]
    );
    let e = err("[reach]\nlower = [\"backgrund\"]\n");
    assert_eq!(
        e.message,
        "unknown reach kind `backgrund` in `reach.lower`; did you mean `background`?"
    );
    assert_eq!((e.line, e.column), (2, 10));
    let e = err("[reach]\nlower = [\"request\"]\n");
    assert!(
        e.message
            .contains("a finding reached from a request keeps its severity"),
        "{}",
        e.message
    );
    let e = err("[reach]\nrequest = [\"not a path\"]\n");
    assert!(
        e.message.starts_with("invalid function name `not a path`"),
        "{}",
        e.message
    );
}
