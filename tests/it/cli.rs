//! End-to-end behaviour of the built binary: exit codes, flags, config
//! discovery and config errors.

use crate::support::fixture;
use assert_cmd::Command;
use std::fs;
use std::path::Path;

fn bin() -> Command {
    let mut c = Command::cargo_bin("tenant-lint").expect("binary built");
    c.env_remove("NO_COLOR");
    c
}

fn run(args: &[&str]) -> (i32, String, String) {
    code_and_output(bin().args(args).output().expect("runs"))
}

/// Exit code (-1 for a signal), standard output and standard error.
fn code_and_output(out: std::process::Output) -> (i32, String, String) {
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn path(rel: &str) -> String {
    fixture(rel).display().to_string()
}

/// A small Diesel project with one leak, in a temp dir.
fn project(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let files: Vec<(&str, &str)> = [
        (
            "src/schema.rs",
            "diesel::table! { documents (id) { id -> Uuid, org_id -> Uuid, } }\n",
        ),
        (
            "src/repo.rs",
            "use crate::schema::documents;\n\npub fn all(conn: &mut PgConnection, org_id: Uuid) -> QueryResult<Vec<Doc>> {\n    documents::table.load(conn)\n}\n",
        ),
    ]
    .into_iter()
    .chain(extra.iter().copied())
    .collect();
    for (p, text) in files {
        let full = dir.path().join(p);
        fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        fs::write(full, text).expect("write");
    }
    dir
}

fn p(d: &Path) -> String {
    d.display().to_string()
}

#[test]
fn exit_codes() {
    assert_eq!(run(&["check", &path("unscoped-query/fail")]).0, 1);
    assert_eq!(run(&["check", &path("unscoped-query/pass")]).0, 0);
    let (code, _, err) = run(&["check", "/no/such/dir"]);
    assert_eq!(code, 2);
    assert!(err.contains("/no/such/dir"), "{err}");
    assert_eq!(run(&["check", "--format", "yaml", "."]).0, 2);
}

#[test]
fn warnings_fail_only_with_fail_on_warn() {
    let dir = project(&[("src/bad.rs", "fn f( {\n    sqlx::query!(\"SELECT 1\")\n")]);
    let d = p(dir.path());
    let (code, out, _) = run(&["check", &d, "--select", "parse-error"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("warning[parse-error]"), "{out}");
    // The innermost delimiter left open, where a reader starts looking:
    // the `{` (line 1, column 7), not the `(` outside it nor the end of
    // the file.
    assert!(out.contains("`{` is never closed"), "{out}");
    assert!(out.contains("src/bad.rs:1:7"), "{out}");
    assert_eq!(
        run(&["check", &d, "--select", "parse-error", "--fail-on", "warn"]).0,
        1
    );
}

#[test]
fn select_and_ignore() {
    let dir = project(&[]);
    let d = p(dir.path());
    assert_eq!(run(&["check", &d, "--ignore", "unscoped-query"]).0, 0);
    assert_eq!(run(&["check", &d, "--select", "unscoped-query"]).0, 1);
    let (code, _, err) = run(&["check", &d, "--select", "no-such-rule"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown rule `no-such-rule`"), "{err}");
    assert!(!err.contains("did you mean"), "{err}");
    // A typo gets the closest id, on the command line as in the config.
    let (code, _, err) = run(&["check", &d, "--ignore", "unscoped-qurey"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown rule `unscoped-qurey`; did you mean `unscoped-query`?"),
        "{err}"
    );
    let (code, _, err) = run(&["explain", "unscopedsql"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `unscoped-sql`?"), "{err}");
}

#[test]
fn concise_output_is_a_line_a_finding() {
    let dir = project(&[]);
    let (code, out, _) = run(&["check", &p(dir.path()), "--format", "concise", "--no-cache"]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    let file = Path::new("src").join("repo.rs").display().to_string();
    let want = format!(
        "{}:4:22: error[unscoped-query] ",
        dir.path().join(&file).display()
    );
    assert!(lines[0].starts_with(&want), "{out}");
    assert!(
        lines[1].starts_with("found 1 error and 0 warnings"),
        "{out}"
    );
    // `-q`: the findings and nothing else.
    let (code, out, err) = run(&["check", &p(dir.path()), "--format", "concise", "-q"]);
    assert_eq!(code, 1);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn statistics_count_findings_per_rule() {
    let dir = project(&[(
        "src/more.rs",
        "use crate::schema::documents;\n\npub fn n(conn: &mut PgConnection) -> QueryResult<i64> {\n    documents::table.count().get_result(conn)\n}\n",
    )]);
    let d = p(dir.path());
    let (code, out, _) = run(&["check", &d, "--statistics", "--no-cache"]);
    assert_eq!(code, 1);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("2  unscoped-query  error"), "{out}");
    assert!(
        lines
            .next()
            .is_some_and(|l| l.starts_with("found 2 errors")),
        "{out}"
    );
    let (_, out, _) = run(&["check", &d, "--statistics", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        v,
        serde_json::json!({"version": 1, "statistics": [
            {"rule": "unscoped-query", "severity": "error", "count": 2}
        ]})
    );
    let (code, _, err) = run(&["check", &d, "--statistics", "--format", "sarif"]);
    assert_eq!(code, 2);
    assert!(err.contains("--statistics"), "{err}");
}

#[test]
fn exit_zero_reports_and_never_fails() {
    let dir = project(&[]);
    let d = p(dir.path());
    let (code, out, _) = run(&["check", &d, "--exit-zero", "--format", "concise"]);
    assert_eq!(code, 0);
    assert!(out.contains("error[unscoped-query]"), "{out}");
    // A usage error still stops the run.
    assert_eq!(run(&["check", &d, "--exit-zero", "--select", "x"]).0, 2);
}

#[test]
fn verbose_says_what_was_read() {
    let dir = project(&[]);
    let (_, out, err) = run(&["check", &p(dir.path()), "-v", "--no-cache"]);
    assert!(err.contains("config: none (defaults)"), "{err}");
    assert!(err.contains("files: 2 found, 2 analysed"), "{err}");
    assert!(out.contains("error[unscoped-query]"), "{out}");
    let (code, _, err) = run(&["check", &p(dir.path()), "-v", "-q"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn human_output_names_the_tenant_in_reach() {
    let dir = project(&[]);
    let (code, out, _) = run(&["check", &p(dir.path()), "--color", "never"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("error[unscoped-query]: Diesel query on `documents` is not scoped to a tenant, though `org_id` is in scope"),
        "{out}"
    );
    assert!(out.contains("src/repo.rs:4:22"), "{out}");
    assert!(
        out.contains("found 1 error and 0 warnings in 2 files"),
        "{out}"
    );
    assert!(!out.contains('\u{1b}'), "no colour when not asked: {out}");
}

#[test]
fn json_output_file_and_paths() {
    let dir = project(&[]);
    let out_file = dir.path().join("report.json");
    let (code, stdout, _) = run(&[
        "check",
        &p(dir.path()),
        "--format",
        "json",
        "--output",
        &p(&out_file),
    ]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    let v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&out_file).expect("report")).expect("json");
    let f = &v["findings"][0];
    assert_eq!(f["file"], "src/repo.rs");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(4), Some(22))
    );
    assert_eq!(f["severity"], "error");
    assert_eq!(f["fingerprint"].as_str().map(str::len), Some(16));
    // `--output` into a directory that does not exist: a run error.
    let (code, _, err) = run(&["check", &p(dir.path()), "--output", "/no/such/dir/r.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("/no/such/dir/r.json"), "{err}");
}

#[test]
fn fingerprint_survives_moved_lines() {
    let dir = project(&[]);
    let fp = |d: &Path| -> String {
        let (_, out, _) = run(&["check", &p(d), "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        v["findings"][0]["fingerprint"]
            .as_str()
            .expect("fp")
            .to_string()
    };
    let before = fp(dir.path());
    let repo = dir.path().join("src/repo.rs");
    let text = fs::read_to_string(&repo).expect("read");
    fs::write(&repo, format!("// a new comment\n\n{text}")).expect("write");
    assert_eq!(fp(dir.path()), before);
}

#[test]
fn test_code_is_skipped_unless_asked() {
    let dir = project(&[(
        "src/lib.rs",
        "#[cfg(test)]\nmod tests {\n    use crate::schema::documents;\n    #[test]\n    fn t() { documents::table.load(&mut conn); }\n}\n",
    ), (
        "tests/api.rs",
        "use crate::schema::documents;\nfn t() { documents::table.load(&mut conn); }\n",
    )]);
    let d = p(dir.path());
    let count = |args: &[&str]| -> usize {
        let (_, out, _) = run(args);
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        v["findings"].as_array().expect("array").len()
    };
    assert_eq!(count(&["check", &d, "--format", "json"]), 1);
    assert_eq!(
        count(&["check", &d, "--format", "json", "--include-tests"]),
        3
    );
    fs::write(
        dir.path().join("tenant-lint.toml"),
        "[files]\ninclude-tests = true\n",
    )
    .expect("write");
    assert_eq!(count(&["check", &d, "--format", "json"]), 3);
}

#[test]
fn a_crate_used_only_as_a_dev_dependency_is_test_code() {
    let leak = "use api::schema::documents;\npub fn seed(conn: &mut PgConnection) { documents::table.load::<Doc>(conn); }\n";
    let dir = project(&[
        ("Cargo.toml", "[workspace]\nmembers = [\"api\", \"api-harness\"]\n"),
        (
            "api/Cargo.toml",
            "[package]\nname = \"api\"\n\n[dev-dependencies]\napi-harness = { path = \"../api-harness\" }\n",
        ),
        ("api/src/schema.rs", "diesel::table! { documents (id) { id -> Uuid, org_id -> Uuid, } }\n"),
        (
            "api-harness/Cargo.toml",
            "[package]\nname = \"api-harness\"\n\n[dependencies]\napi = { path = \"../api\" }\n",
        ),
        ("api-harness/src/lib.rs", leak),
        (
            "api-harness/src/seed.rs",
            "diesel::table! { seed_runs (id) { id -> Uuid, org_id -> Uuid, } }\n",
        ),
    ]);
    let d = p(dir.path());
    let files = |args: &[&str]| -> Vec<String> {
        let (_, out, _) = run(args);
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        v["findings"]
            .as_array()
            .expect("array")
            .iter()
            .map(|f| f["file"].as_str().expect("file").to_string())
            .collect()
    };
    // `src/repo.rs` (outside the packages) is reported; the harness is not,
    // and its tables are not in the tenant model `schema` prints.
    assert_eq!(files(&["check", &d, "--format", "json"]), ["src/repo.rs"]);
    let (_, schema, _) = run(&["schema", &d]);
    assert!(
        schema.contains("documents") && !schema.contains("seed_runs"),
        "{schema}"
    );
    let (_, out, _) = run(&["check", &d, "--color", "never"]);
    assert!(out.contains("2 skipped"), "{out}");
    assert_eq!(
        files(&["check", &d, "--format", "json", "--include-tests"]),
        ["api-harness/src/lib.rs", "src/repo.rs"]
    );
    // Named, it is analysed, like `check examples/shop`.
    let harness = p(&dir.path().join("api-harness"));
    assert_eq!(
        files(&["check", &harness, "--format", "json"]),
        ["api-harness/src/lib.rs"]
    );
    // Once a package depends on it for real, it is production code.
    fs::write(
        dir.path().join("api/Cargo.toml"),
        "[package]\nname = \"api\"\n\n[dependencies]\napi-harness = { path = \"../api-harness\" }\n",
    )
    .expect("write");
    assert_eq!(
        files(&["check", &d, "--format", "json"]),
        ["api-harness/src/lib.rs", "src/repo.rs"]
    );
}

#[test]
fn config_found_upward_and_in_cargo_metadata() {
    let dir = project(&[(
        "Cargo.toml",
        "[package]\nname = \"x\"\n\n[package.metadata.tenant-lint]\nrules = { unscoped-query = \"warn\" }\n",
    )]);
    let (code, out, _) = run(&["check", &p(&dir.path().join("src"))]);
    assert_eq!(code, 0, "downgraded to a warning: {out}");
    assert!(out.contains("warning[unscoped-query]"), "{out}");
    fs::write(
        dir.path().join("tenant-lint.toml"),
        "[tenant]\ncolumns = [\"account_id\"]\n",
    )
    .expect("write");
    let (code, out, err) = run(&["check", &p(dir.path())]);
    assert_eq!(code, 0, "org_id is no longer a tenant column: {out}");
    assert!(err.contains("no tenant tables found"), "{err}");
}

#[test]
fn config_errors_point_at_the_line() {
    let dir = project(&[(
        "tenant-lint.toml",
        "[tenant]\ncolumns = [\"org_id\"]\n\n[files]\nexlude = [\"x\"]\n",
    )]);
    let (code, _, err) = run(&["check", &p(dir.path())]);
    assert_eq!(code, 2);
    assert!(err.contains("exlude"), "{err}");
    assert!(err.contains("did you mean `exclude`"), "{err}");
    assert!(err.contains("tenant-lint.toml:5:1"), "{err}");
    let bad = dir.path().join("bad.toml");
    fs::write(&bad, "[rules]\nunscoped-query = \"fatal\"\n").expect("write");
    let (code, _, err) = run(&["check", &p(dir.path()), "--config", &p(&bad)]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.toml:2:"), "{err}");
}

#[test]
fn excluded_files_are_counted_not_analysed() {
    let dir = project(&[("tenant-lint.toml", "[files]\nexclude = [\"src/repo.rs\"]\n")]);
    let (code, out, _) = run(&["check", &p(dir.path()), "--color", "never"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 skipped"), "{out}");
}

#[test]
fn a_file_allow_at_the_top_silences_the_file() {
    let dir = project(&[(
        "src/admin.rs",
        "//! Staff console.\n\n// tenant-lint: allow-file(unscoped-query) staff only, behind AdminGuard\nuse crate::schema::documents;\n\npub fn all(conn: &mut PgConnection) -> QueryResult<Vec<Doc>> {\n    documents::table.load(conn)\n}\n\npub fn count(conn: &mut PgConnection) -> QueryResult<i64> {\n    documents::table.count().get_result(conn)\n}\n",
    )]);
    let d = p(dir.path());
    let (code, out, _) = run(&["check", &d, "--format", "concise", "--no-cache"]);
    assert_eq!(code, 1, "src/repo.rs still fails: {out}");
    assert!(!out.contains("src/admin.rs"), "{out}");
    assert!(out.contains("2 suppressed"), "{out}");
    // Below the first item it silences nothing, and says so.
    let admin = dir.path().join("src/admin.rs");
    let text = fs::read_to_string(&admin).expect("read");
    let moved = text
        .replace(
            "// tenant-lint: allow-file(unscoped-query) staff only, behind AdminGuard\n",
            "",
        )
        .replace(
            "pub fn count",
            "// tenant-lint: allow-file(unscoped-query) staff only\npub fn count",
        );
    fs::write(&admin, moved).expect("write");
    let (_, out, _) = run(&["check", &d, "--format", "concise", "--no-cache"]);
    let admin_lines: Vec<&str> = out.lines().filter(|l| l.contains("admin.rs")).collect();
    assert_eq!(admin_lines.len(), 3, "{out}");
    assert!(
        out.contains("warning[invalid-suppression] `allow-file` below the file's first item silences nothing"),
        "{out}"
    );
    assert!(!out.contains("unused-suppression"), "{out}");
    // One that silences nothing is unused.
    fs::write(
        &admin,
        "// tenant-lint: allow-file(unscoped-sql) no SQL here\nfn f() {}\n",
    )
    .expect("write");
    let (_, out, _) = run(&["check", &d, "--format", "concise", "--no-cache"]);
    assert!(
        out.contains("warning[unused-suppression] suppression of `unscoped-sql` silences nothing"),
        "{out}"
    );
}

#[test]
fn suppression_needs_a_reason() {
    let dir = project(&[]);
    let repo = dir.path().join("src/repo.rs");
    let text = fs::read_to_string(&repo).expect("read");
    let with_reason = text.replace(
        "    documents::table",
        "    // tenant-lint: allow(unscoped-query) admin export\n    documents::table",
    );
    fs::write(&repo, &with_reason).expect("write");
    assert_eq!(run(&["check", &p(dir.path())]).0, 0);
    let no_reason = text.replace(
        "    documents::table",
        "    // tenant-lint: allow(unscoped-query)\n    documents::table",
    );
    fs::write(&repo, &no_reason).expect("write");
    let (code, out, _) = run(&["check", &p(dir.path()), "--color", "never"]);
    assert_eq!(code, 0, "silenced, but reported as a warning: {out}");
    assert!(
        out.contains("warning[invalid-suppression]: suppression of `unscoped-query` has no reason"),
        "{out}"
    );
}

#[test]
fn invalid_utf8_is_reported_with_position() {
    let dir = project(&[]);
    fs::write(dir.path().join("src/latin1.rs"), b"// caf\xe9\nfn f() {}\n").expect("write");
    let (_, out, _) = run(&["check", &p(dir.path()), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let f = v["findings"]
        .as_array()
        .expect("array")
        .iter()
        .find(|f| f["file"] == "src/latin1.rs")
        .expect("latin1 reported");
    assert_eq!(f["rule"], "parse-error");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(1), Some(7))
    );
    assert!(
        f["help"]
            .as_str()
            .is_some_and(|h| h.starts_with("save the file as UTF-8")),
        "{}",
        f["help"]
    );
    // People see the line, the byte marked, not line 1 column 1 of nothing.
    let (_, out, _) = run(&["check", &p(dir.path()), "--color", "never"]);
    assert!(out.contains("src/latin1.rs:1:7"), "{out}");
    assert!(out.contains("1 │ // caf\u{fffd}"), "{out}");
}

#[test]
fn rules_explain_schema() {
    let (code, out, _) = run(&["rules"]);
    assert_eq!(code, 0);
    assert!(
        out.lines()
            .any(|l| l.starts_with("unscoped-query") && l.contains("error")),
        "{out}"
    );
    let (code, out, _) = run(&["explain", "unscoped-query"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("# unscoped-query"), "{out}");
    assert_eq!(run(&["explain", "nope"]).0, 2);
    let (code, out, _) = run(&["schema", &path("unscoped-query/fail")]);
    assert_eq!(code, 0);
    assert!(
        out.lines().any(|l| l.contains("api_keys")
            && l.contains("workspace_id")
            && l.contains("diesel_app/src/schema.rs:")),
        "{out}"
    );
    assert!(out.contains("(not tenant data): countries"), "{out}");
}

#[test]
fn broken_pipe_is_quiet() {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{} check {} --color never | head -1",
            assert_cmd::cargo::cargo_bin("tenant-lint").display(),
            path("unscoped-query/fail")
        ))
        .output()
        .expect("sh");
    assert!(
        String::from_utf8_lossy(&out.stderr).is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn configured_tenant_types_put_the_tenant_in_reach() {
    let dir = project(&[
        ("tenant-lint.toml", "[tenant]\ntypes = [\"Claims\"]\n"),
        (
            "src/repo.rs",
            "use crate::schema::documents;\n\npub fn all(conn: &mut PgConnection, auth: Claims) -> QueryResult<Vec<Doc>> {\n    documents::table.load(conn)\n}\n",
        ),
    ]);
    let (code, out, _) = run(&["check", &p(dir.path()), "--color", "never"]);
    assert_eq!(code, 1);
    assert!(out.contains("though `auth` is in scope"), "{out}");
}

#[test]
fn naming_a_file_analyses_its_project_and_reports_that_file() {
    let file = fixture("unscoped-query/fail/diesel_app/src/repo/invoices.rs");
    // Its functions have no caller: warnings (`[reach]`), so the run passes.
    let (code, out, _) = run(&["check", &p(&file), "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let mut got: Vec<(String, u64)> = v["findings"]
        .as_array()
        .expect("array")
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    got.sort();
    let expected: Vec<(String, u64)> = fs::read_to_string(&file)
        .expect("read")
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("//~ unscoped-query"))
        .map(|(i, _)| {
            (
                "fixtures/unscoped-query/fail/diesel_app/src/repo/invoices.rs".to_string(),
                i as u64 + 1,
            )
        })
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(
        got, expected,
        "the schema in src/schema.rs was found although only one file was named"
    );
}

#[test]
fn baseline_survives_moves_and_reformatting_but_not_edits() {
    let dir = project(&[(
        "src/more.rs",
        "use crate::schema::documents;\n\npub fn first(conn: &mut PgConnection) -> QueryResult<Doc> {\n    documents::table.first(conn)\n}\n",
    )]);
    let d = p(dir.path());
    let base = dir.path().join("baseline.json");
    let (code, out, err) = run(&[
        "check",
        &d,
        "--write-baseline",
        &p(&base),
        "--color",
        "never",
    ]);
    assert_eq!(code, 0, "writing a baseline succeeds: {out}{err}");
    assert!(out.is_empty(), "and prints no report: {out}");
    assert!(
        err.contains(&format!("wrote 2 findings to the baseline {}", p(&base))),
        "{err}"
    );
    let v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&base).expect("baseline")).expect("json");
    assert_eq!(v["entries"].as_array().map(Vec::len), Some(2));

    // Lines inserted above, the query reformatted: still baselined.
    fs::write(
        dir.path().join("src/repo.rs"),
        "use crate::schema::documents;\n\n// A comment pushed everything down.\n\npub fn all(conn: &mut PgConnection, org_id: Uuid) -> QueryResult<Vec<Doc>> {\n    documents::table\n        .load(conn)\n}\n",
    )
    .expect("write");
    let (code, out, _) = run(&["check", &d, "--baseline", &p(&base), "--color", "never"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("2 baselined, 0 baseline entries no longer match"),
        "{out}"
    );

    // The baselined query is edited: it is reported again, and its old entry is stale.
    fs::write(
        dir.path().join("src/more.rs"),
        "use crate::schema::documents;\n\npub fn first(conn: &mut PgConnection) -> QueryResult<Doc> {\n    documents::table.order(documents::id).first(conn)\n}\n",
    )
    .expect("write");
    let (code, out, _) = run(&["check", &d, "--baseline", &p(&base), "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let files: Vec<&str> = v["findings"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|f| f["file"].as_str())
        .collect();
    assert_eq!(files, ["src/more.rs"]);
}

#[test]
fn since_reports_only_what_the_last_commit_changed() {
    let dir = project(&[]);
    let git = |args: &[&str]| {
        let st = std::process::Command::new("git")
            .arg("-C")
            .arg(dir.path())
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .expect("git");
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "first"]);
    fs::write(
        dir.path().join("src/new.rs"),
        "use crate::schema::documents;\n\npub fn first(conn: &mut PgConnection) -> QueryResult<Doc> {\n    documents::table.first(conn)\n}\n",
    )
    .expect("write");
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "second"]);
    let (code, out, _) = run(&[
        "check",
        &p(dir.path()),
        "--since",
        "HEAD~1",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let files: Vec<&str> = v["findings"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|f| f["file"].as_str())
        .collect();
    assert_eq!(
        files,
        ["src/new.rs"],
        "the old leak in src/repo.rs is not reported"
    );
    let (code, _, err) = run(&["check", &p(dir.path()), "--since", "no-such-rev"]);
    assert_eq!(code, 2);
    assert!(err.contains("revision `no-such-rev` not found"), "{err}");
}

#[test]
fn show_suppressed_lists_what_was_silenced() {
    let (code, out, _) = run(&[
        "check",
        &path("invalid-suppression/pass"),
        "--show-suppressed",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let reasons: Vec<&str> = v["suppressed"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|f| f["reason"].as_str())
        .collect();
    assert_eq!(
        reasons,
        [
            "superadmin console, behind the staff-only router",
            "billing roll-up across tenants",
            "staff only, mounted behind AdminGuard",
            "staff only, mounted behind AdminGuard"
        ]
    );
}

#[test]
fn github_and_gitlab_formats() {
    let dir = project(&[]);
    fs::rename(
        dir.path().join("src/repo.rs"),
        dir.path().join("src/re,po:1%.rs"),
    )
    .expect("rename");
    let (code, out, _) = run(&["check", &p(dir.path()), "--format", "github"]);
    assert_eq!(code, 1);
    let line = out.lines().next().expect("one command");
    assert!(
        line.starts_with("::error file=src/re%2Cpo%3A1%25.rs,line=4,endLine=4,col=22,endColumn=26,title=tenant-lint unscoped-query::"),
        "{line}"
    );
    assert!(line.contains("%0Ahelp: "), "newlines are escaped: {line}");
    assert_eq!(out.lines().count(), 1, "one line per finding");
    // The same commands in a file, beside a concise log.
    let gh = dir.path().join("annotations.txt");
    let (code, log, _) = run(&[
        "check",
        &p(dir.path()),
        "--format",
        "concise",
        "--output-github",
        &p(&gh),
    ]);
    assert_eq!(code, 1);
    assert!(log.contains("error[unscoped-query]"), "{log}");
    assert_eq!(fs::read_to_string(&gh).expect("annotations"), out);
    let gl = dir.path().join("gl.json");
    let (code, _, _) = run(&[
        "check",
        &p(dir.path()),
        "--output-gitlab",
        &p(&gl),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&gl).expect("gitlab report")).expect("json");
    let issue = &v[0];
    assert_eq!(issue["check_name"], "unscoped-query");
    assert_eq!(issue["severity"], "critical");
    assert_eq!(issue["location"]["path"], "src/re,po:1%.rs");
    assert_eq!(issue["location"]["lines"]["begin"], 4);
    assert_eq!(issue["fingerprint"].as_str().map(str::len), Some(16));
}

#[test]
fn one_run_writes_several_reports() {
    let dir = project(&[]);
    let md = dir.path().join("summary.md");
    let js = dir.path().join("report.json");
    let (code, out, _) = run(&[
        "check",
        &p(dir.path()),
        "--color",
        "never",
        "--output-markdown",
        &p(&md),
        "--output-json",
        &p(&js),
    ]);
    assert_eq!(code, 1);
    assert!(
        out.contains("error[unscoped-query]"),
        "human on stdout: {out}"
    );
    assert!(fs::read_to_string(&md)
        .expect("markdown")
        .starts_with("## tenant-lint"));
    let v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&js).expect("json")).expect("json");
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(1));
    let (code, _, err) = run(&[
        "check",
        &p(dir.path()),
        "--output-json",
        "/no/such/dir/r.json",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("/no/such/dir/r.json"), "{err}");
}

#[test]
fn init_writes_a_config_that_loads_and_refuses_to_overwrite() {
    let dir = project(&[(
        "src/admin.rs",
        "pub async fn unscoped_all(db: &Db) {}\npub fn for_org(q: Q, org: Uuid) -> Q { q }\n",
    )]);
    let (code, _, err) = run(&["init", &p(dir.path())]);
    assert_eq!(code, 0, "{err}");
    let text = fs::read_to_string(dir.path().join("tenant-lint.toml")).expect("config");
    assert!(
        text.contains(
            "# columns = [\"tenant_id\", \"org_id\", \"organization_id\", \"workspace_id\"]"
        ),
        "{text}"
    );
    assert!(text.contains("# calls = [\"unscoped_all\"]"), "{text}");
    assert!(text.contains("# scope-methods = [\"for_org\"]"), "{text}");
    // The written config is valid: check still runs with it.
    assert_eq!(run(&["check", &p(dir.path())]).0, 1);
    let (code, _, err) = run(&["init", &p(dir.path())]);
    assert_eq!(code, 2);
    assert!(err.contains("--force"), "{err}");
    assert_eq!(run(&["init", &p(dir.path()), "--force"]).0, 0);
}

#[test]
fn cargo_flags_name_the_packages_to_report() {
    let demo = fixture("demo");
    let cargo = |dir: &Path, args: &[&str]| {
        let out = Command::cargo_bin("cargo-tenant-lint")
            .expect("built")
            .current_dir(dir)
            .args(["tenant-lint", "check", "--statistics", "-q", "--no-cache"])
            .args(args)
            .output()
            .expect("runs");
        code_and_output(out)
    };
    let api = "5  unscoped-query  error\n";
    let worker = "3  unscoped-query  warning\n1  unscoped-sql    warning\n";
    let all = format!("{api}{worker}");
    assert_eq!(cargo(&demo, &["-p", "acme-docs-api"]).1, api);
    // `_` for `-`, and several packages.
    assert_eq!(
        cargo(&demo, &["-p", "acme_docs_worker", "-p", "acme-docs-api"]).1,
        all
    );
    assert_eq!(
        cargo(&demo, &["--manifest-path", "crates/worker/Cargo.toml"]).1,
        worker
    );
    // Inside a package, that package; with `--workspace`, all of them.
    let inside = demo.join("crates/worker");
    assert_eq!(cargo(&inside, &[]).1, worker);
    assert_eq!(cargo(&inside, &["--workspace"]).1, all);
    let (code, _, err) = cargo(&demo, &["-p", "acme-docs-wroker"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `acme-docs-worker`?"), "{err}");
    let (code, _, err) = cargo(&demo, &["--manifest-path", "Cargo.toml", "."]);
    assert_eq!(code, 2);
    assert!(err.contains("not both"), "{err}");
}

#[test]
fn the_run_counts_its_files_for_a_progress_line() {
    use std::sync::Arc;
    use tenant_lint::engine::{self, CheckOptions, Progress};
    let dir = project(&[("src/other.rs", "fn f() {}\n")]);
    let progress = Arc::new(Progress::default());
    let opts = CheckOptions {
        paths: vec![dir.path().to_path_buf()],
        progress: Some(progress.clone()),
        ..CheckOptions::default()
    };
    engine::check(&opts).expect("runs");
    // The last stage goes through every file.
    assert_eq!(
        progress.line(),
        "tenant-lint: tracing calls from entry points 3/3 files"
    );
    // Not on a terminal (as here), nothing but the report and notes.
    let (_, _, err) = run(&["check", &p(dir.path()), "-q"]);
    assert!(err.is_empty(), "{err}");
}

/// Copies a fixture tree to a temporary directory.
fn copy_tree(from: &Path, to: &Path) {
    for e in fs::read_dir(from).expect("read_dir").flatten() {
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            fs::create_dir_all(&dest).expect("mkdir");
            copy_tree(&e.path(), &dest);
        } else {
            fs::copy(e.path(), &dest).expect("copy");
        }
    }
}

/// Every file of a tree, by path relative to it, with its text.
fn tree_texts(root: &Path) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in fs::read_dir(&dir).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(root).expect("under").display().to_string();
                out.insert(rel, fs::read_to_string(&p).expect("text"));
            }
        }
    }
    out
}

#[test]
fn fix_makes_the_certain_edits_and_refuses_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&fixture("fix/before"), dir.path());
    let d = p(dir.path());
    // `--diff` shows the edits and changes nothing.
    let (code, diff, err) = run(&["check", &d, "--diff", "--no-cache"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        diff.contains("+        .filter(document::Column::OrganizationId.eq(ctx.org_id))"),
        "{diff}"
    );
    assert!(err.contains("3 findings can be fixed in 2 files"), "{err}");
    // The fix with no sure value is left out, not its file's others.
    assert!(
        err.contains(
            "handlers.rs: `org_id` is not surely one tenant's value in scope at the query at line 42"
        ),
        "{err}"
    );
    assert_eq!(tree_texts(dir.path()), tree_texts(&fixture("fix/before")));
    // In a file with `-o` (outside the tree).
    let out_dir = tempfile::tempdir().expect("tempdir");
    let patch = out_dir.path().join("fix.patch");
    let (code, stdout, _) = run(&["check", &d, "--diff", "--no-cache", "-o", &p(&patch)]);
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert_eq!(fs::read_to_string(&patch).expect("patch"), diff);
    // `--fix` makes them, and reports what is left: the query with no
    // tenant in scope to filter by, and the one whose tenant may be none.
    let (code, out, err) = run(&["check", &d, "--fix", "--no-cache", "--format", "concise"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("fixed 3 findings in 2 files"), "{err}");
    let left: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("[unscoped-query]"))
        .collect();
    assert_eq!(left.len(), 2, "{out}");
    assert!(left[0].contains("handlers.rs:33:"), "{out}");
    assert!(left[1].contains("handlers.rs:46:"), "{out}");
    assert_eq!(tree_texts(dir.path()), tree_texts(&fixture("fix/after")));
    // Fixed, the tree has those two findings, and nothing left to fix.
    let (code, out, _) = run(&["check", &d, "--no-cache", "--format", "concise"]);
    assert_eq!(code, 1);
    assert_eq!(
        out.lines()
            .filter(|l| l.contains("[unscoped-query]"))
            .count(),
        2,
        "{out}"
    );
    let (code, diff, _) = run(&["check", &d, "--diff", "--no-cache"]);
    assert_eq!((code, diff.as_str()), (0, ""));
}

#[test]
fn cargo_subcommand_strips_its_name() {
    let out = Command::cargo_bin("cargo-tenant-lint")
        .expect("built")
        .args(["tenant-lint", "check", &path("unscoped-query/pass")])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
