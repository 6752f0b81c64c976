//! A security check must not answer "nothing found" when it did not look:
//! runs from a subdirectory, `--since` under any git configuration, report
//! paths whatever the arguments, configuration found only inside the
//! repository, rules asked for by name, output cut short by `| head`.
//! Each test here failed before the fix it guards.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// A small project as teams write one: a workspace manifest, a sqlx
/// migration, handlers with raw SQL (one leak, one safe query) and, in a
/// file of its own, a deliberate cross-tenant query with a justified
/// suppression.
const PROJECT: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        "[package]\nname = \"docs-api\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    ),
    (
        "migrations/20240101000000_init.sql",
        "CREATE TABLE documents (\n    id uuid PRIMARY KEY,\n    org_id uuid NOT NULL,\n    title text NOT NULL\n);\nCREATE INDEX documents_org ON documents (org_id, id);\n",
    ),
    (
        "src/api/handlers.rs",
        r#"pub async fn delete_document(pool: &PgPool, id: Uuid) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM documents WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn list(pool: &PgPool, org_id: Uuid) -> sqlx::Result<Vec<Doc>> {
    sqlx::query_as("SELECT id, title FROM documents WHERE org_id = $1")
        .bind(org_id)
        .fetch_all(pool)
        .await
}
"#,
    ),
    (
        "src/api/metrics.rs",
        r#"/// Staff dashboard.
pub async fn count_all(pool: &PgPool) -> sqlx::Result<i64> {
    // tenant-lint: allow(unscoped-sql) usage metrics across all orgs, staff only
    sqlx::query_scalar("SELECT count(*) FROM documents")
        .fetch_one(pool)
        .await
}
"#,
    ),
    ("src/lib.rs", "pub mod api;\n"),
    ("src/api/mod.rs", "pub mod handlers;\npub mod metrics;\n"),
];

/// The line of the leak in `src/api/handlers.rs`.
const LEAK_LINE: u64 = 2;

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    crate::support::write_tree(dir.path(), PROJECT);
    dir
}

/// Runs the binary in `cwd` with a cache-free, colour-free setup.
fn run_in(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    run_bin("tenant-lint", cwd, args)
}

fn run_bin(bin: &str, cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin(bin)
        .expect("built")
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .env("TENANT_LINT_CACHE_DIR", cwd.join(".no-cache-here"))
        .args(args)
        .arg("--no-cache")
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

/// (file, line, rule) of each finding in a JSON report.
fn findings(v: &Value) -> Vec<(String, u64, String)> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["file"].as_str().expect("file").to_string(),
                f["line"].as_u64().expect("line"),
                f["rule"].as_str().expect("rule").to_string(),
            )
        })
        .collect()
}

fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(["-c", "init.defaultBranch=main"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn the_leak() -> (String, u64, String) {
    (
        "src/api/handlers.rs".to_string(),
        LEAK_LINE,
        "unscoped-sql".to_string(),
    )
}

#[test]
fn a_run_from_a_subdirectory_analyses_the_whole_project() {
    let dir = project();
    let api = dir.path().join("src/api");
    // `cd src/api && tenant-lint check`, `tenant-lint check src/api`, and
    // the cargo subcommand from the subdirectory: the migrations above
    // are found, the justified suppression is used, the leak is reported.
    for (bin, cwd, args) in [
        ("tenant-lint", api.as_path(), vec!["check"]),
        ("tenant-lint", dir.path(), vec!["check", "src/api"]),
        ("tenant-lint", dir.path(), vec!["check", "src/api/"]),
        (
            "cargo-tenant-lint",
            api.as_path(),
            vec!["tenant-lint", "check"],
        ),
    ] {
        let mut args = args.clone();
        args.extend(["--format", "json"]);
        let (code, out, err) = run_bin(bin, cwd, &args);
        assert!(!err.contains("no tenant tables"), "{bin} {args:?}: {err}");
        assert_eq!(code, 1, "{bin} {args:?} in {}: {out}{err}", cwd.display());
        assert_eq!(findings(&json(&out)), [the_leak()], "{bin} {args:?}");
    }
    // Only what lies under the named path is reported.
    let (code, out, _) = run_in(dir.path(), &["check", "migrations", "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(findings(&json(&out)), []);
}

#[test]
fn human_paths_open_from_the_current_directory() {
    let dir = project();
    let api = dir.path().join("src/api");
    let elsewhere = tempfile::tempdir().expect("tempdir");
    for cwd in [dir.path(), api.as_path(), elsewhere.path()] {
        let target = dir.path().display().to_string();
        let (code, out, _) = run_in(cwd, &["check", &target, "--color", "never"]);
        assert_eq!(code, 1, "{out}");
        let shown: Vec<&str> = out
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("┌─ "))
            .map(|l| l.split(':').next().expect("path"))
            .collect();
        assert!(!shown.is_empty(), "{out}");
        for p in shown {
            assert!(
                cwd.join(p).is_file(),
                "`{p}` does not exist from {}",
                cwd.display()
            );
        }
    }
}

#[test]
fn report_paths_have_one_base_whatever_the_arguments() {
    let repo = tempfile::tempdir().expect("tempdir");
    // The project lives in a subdirectory of its repository, as in a
    // monorepo: GitHub, SARIF and GitLab need paths from the repository
    // root.
    crate::support::write_tree(&repo.path().join("backend"), PROJECT);
    git(repo.path(), &["init", "-q"]);
    let backend = repo.path().join("backend");
    let b = backend.display().to_string();
    let src = backend.join("src").display().to_string();
    let migrations = backend.join("migrations").display().to_string();
    let expected = "backend/src/api/handlers.rs";
    let runs: Vec<(&Path, Vec<&str>)> = vec![
        (repo.path(), vec!["check", "backend"]),
        (backend.as_path(), vec!["check"]),
        (backend.as_path(), vec!["check", "."]),
        (Path::new("/"), vec!["check", &b]),
        (repo.path(), vec!["check", &src, &migrations]),
        (repo.path(), vec!["check", &migrations, &src]),
    ];
    for (cwd, args) in runs {
        let mut json_args = args.clone();
        json_args.extend(["--format", "json"]);
        let (_, out, _) = run_in(cwd, &json_args);
        let v = json(&out);
        let files: Vec<String> = findings(&v).into_iter().map(|f| f.0).collect();
        assert_eq!(files, [expected], "json, {args:?} in {}", cwd.display());
        let mut gh = args.clone();
        gh.extend(["--format", "github"]);
        let (_, out, _) = run_in(cwd, &gh);
        assert!(
            out.contains(&format!("file={expected},line={LEAK_LINE}")),
            "github, {args:?} in {}: {out}",
            cwd.display()
        );
        let mut sarif = args.clone();
        sarif.extend(["--format", "sarif"]);
        let (_, out, _) = run_in(cwd, &sarif);
        let v = json(&out);
        assert_eq!(
            v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
                ["uri"],
            expected,
            "sarif, {args:?} in {}",
            cwd.display()
        );
        let mut gitlab = args.clone();
        gitlab.extend(["--format", "gitlab"]);
        let (_, out, _) = run_in(cwd, &gitlab);
        assert_eq!(
            json(&out)[0]["location"]["path"],
            expected,
            "gitlab, {args:?}"
        );
    }
}

#[test]
fn a_config_outside_the_repository_is_not_applied() {
    let outer = tempfile::tempdir().expect("tempdir");
    // Someone's home directory turns the main rule off ...
    fs::write(
        outer.path().join("tenant-lint.toml"),
        "[rules]\nunscoped-sql = \"off\"\n",
    )
    .expect("write");
    // ... above a repository with no configuration of its own.
    let repo = outer.path().join("repo");
    crate::support::write_tree(&repo, PROJECT);
    git(&repo, &["init", "-q"]);
    let (code, out, _) = run_in(&repo, &["check", "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let v = json(&out);
    assert_eq!(findings(&v), [the_leak()]);
    assert_eq!(v["config"], Value::Null, "no configuration was used");
    let (_, out, _) = run_in(&repo, &["check", "--color", "never"]);
    assert!(out.contains("no config file, defaults"), "{out}");

    // The repository's own configuration is used, and named.
    fs::write(
        repo.join("tenant-lint.toml"),
        "[rules]\nunscoped-sql = \"warn\"\n",
    )
    .expect("write");
    let (code, out, _) = run_in(&repo.join("src"), &["check", "--format", "json"]);
    assert_eq!(code, 0, "downgraded to a warning: {out}");
    assert_eq!(json(&out)["config"], "tenant-lint.toml");
    let (_, out, _) = run_in(&repo.join("src"), &["check", "--color", "never"]);
    let config = fs::canonicalize(repo.join("tenant-lint.toml")).expect("config");
    assert!(
        out.contains(&format!("config {}", config.display())),
        "outside the current directory: an absolute path: {out}"
    );
    let (_, out, _) = run_in(&repo, &["check", "--color", "never"]);
    assert!(out.contains("config tenant-lint.toml"), "{out}");
    let (_, out, _) = run_in(&repo, &["check", "--format", "markdown"]);
    assert!(out.contains("Configuration: `tenant-lint.toml`."), "{out}");
}

/// A repository whose last commit added a leak in a file with a non-ASCII
/// name, with one more leak in a file not yet added to git.
fn repo_with_new_leaks() -> tempfile::TempDir {
    let dir = project();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "first"]);
    let leak = "pub async fn purge(pool: &PgPool, id: Uuid) -> sqlx::Result<()> {\n    sqlx::query(\"DELETE FROM documents WHERE id = $1\").bind(id).execute(pool).await?;\n    Ok(())\n}\n";
    fs::write(dir.path().join("src/api/café.rs"), leak).expect("write");
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "second"]);
    fs::write(dir.path().join("src/api/brand new.rs"), leak).expect("write");
    dir
}

#[test]
fn since_gives_the_same_findings_whatever_the_git_configuration() {
    let dir = repo_with_new_leaks();
    let expected = vec![
        (
            "src/api/brand new.rs".to_string(),
            2,
            "unscoped-sql".to_string(),
        ),
        ("src/api/café.rs".to_string(), 2, "unscoped-sql".to_string()),
    ];
    for setting in [
        None,
        Some(("diff.noprefix", "true")),
        Some(("diff.mnemonicPrefix", "true")),
        Some(("diff.relative", "true")),
        Some(("core.quotePath", "true")),
        Some(("color.diff", "always")),
        Some(("diff.external", "false")),
    ] {
        if let Some((k, v)) = setting {
            git(dir.path(), &["config", k, v]);
        }
        for cwd in [dir.path().to_path_buf(), dir.path().join("src/api")] {
            let (code, out, err) =
                run_in(&cwd, &["check", "--since", "HEAD~1", "--format", "json"]);
            assert_eq!(code, 1, "{setting:?}: {out}{err}");
            let v = json(&out);
            let mut got = findings(&v);
            got.sort();
            assert_eq!(got, expected, "with {setting:?} in {}", cwd.display());
            assert_eq!(v["since_hidden"], 1, "the old leak is hidden, and counted");
        }
        if let Some((k, _)) = setting {
            git(dir.path(), &["config", "--unset", k]);
        }
    }
    let (_, out, _) = run_in(
        dir.path(),
        &["check", "--since", "HEAD~1", "--color", "never"],
    );
    assert!(
        out.contains("1 not on changed lines, hidden by --since"),
        "{out}"
    );
}

#[test]
fn select_runs_a_rule_that_is_off_by_default() {
    let dir = project();
    let (code, out, err) = run_in(
        dir.path(),
        &["check", "--select", "missing-rls", "--format", "json"],
    );
    assert_eq!(code, 0, "reported as a warning: {out}");
    let rules: Vec<String> = findings(&json(&out)).into_iter().map(|f| f.2).collect();
    assert_eq!(rules, ["missing-rls"], "{err}");
    assert!(
        err.contains("rule `missing-rls` is off by default; `--select` runs it"),
        "{err}"
    );
}

/// Runs `tenant-lint check` with its standard output closed before it
/// writes (as `| head` does once it has read enough).
fn run_with_closed_stdout(args: &[&str]) -> (i32, String) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tenant-lint"))
        .args(args)
        .arg("--no-cache")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("waits");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_ends_the_run_quietly_in_every_format() {
    let demo = crate::support::fixture("demo").display().to_string();
    for format in ["human", "json", "sarif", "gitlab", "github", "markdown"] {
        let (code, err) = run_with_closed_stdout(&["check", &demo, "--format", format]);
        assert_eq!(err, "", "{format}");
        assert_eq!(
            code, 1,
            "{format}: the findings' exit code, not an I/O error"
        );
    }
}

#[test]
fn show_suppressed_shows_the_code_of_a_file_with_nothing_else() {
    let dir = project();
    let (code, out, _) = run_in(
        dir.path(),
        &["check", "--show-suppressed", "--color", "never"],
    );
    assert_eq!(code, 1, "{out}");
    let at = out
        .find("suppressed: SQL")
        .unwrap_or_else(|| panic!("the suppressed finding is listed: {out}"));
    let block = &out[at..];
    assert!(
        block.contains("src/api/metrics.rs:4:"),
        "at its real position: {block}"
    );
    assert!(
        block.contains("sqlx::query_scalar(\"SELECT count(*) FROM documents\")"),
        "with its code: {block}"
    );
}

fn baseline_entries(path: &PathBuf) -> Vec<(String, String)> {
    let v = json(&fs::read_to_string(path).expect("baseline written"));
    v["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["rule"].as_str().expect("rule").to_string(),
                e["file"].as_str().expect("file").to_string(),
            )
        })
        .collect()
}

#[test]
fn writing_a_baseline_succeeds_and_keeps_what_the_run_did_not_cover() {
    let dir = project();
    crate::support::write_tree(
        dir.path(),
        &[(
            "src/api/more.rs",
            "pub async fn rename(pool: &PgPool, id: Uuid, t: &str) -> sqlx::Result<()> {\n    sqlx::query(\"UPDATE documents SET title = $2 WHERE id = $1\").bind(id).bind(t).execute(pool).await?;\n    Ok(())\n}\n",
        )],
    );
    let base = dir.path().join("tenant-lint-baseline.json");
    let b = base.display().to_string();
    let (code, out, err) = run_in(
        dir.path(),
        &["check", "--write-baseline", &b, "--select", "missing-rls"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.is_empty(), "no report: {out}");
    assert!(
        err.contains(&format!("wrote 1 finding to the baseline {b}")),
        "{err}"
    );
    let (code, _, err) = run_in(dir.path(), &["check", "--write-baseline", &b]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(
            "wrote 2 findings to the baseline {b}, and kept 1 entry of rules or files this run did not cover"
                .replace("{b}", &b)
                .as_str()
        ),
        "missing-rls is off, so its entry stays: {err}"
    );
    assert_eq!(baseline_entries(&base).len(), 3);
    // Rewriting for one rule, or one directory, keeps the other entries.
    let (code, _, err) = run_in(
        dir.path(),
        &["check", "--write-baseline", &b, "--select", "missing-rls"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("kept 2 entries of rules or files this run did not cover"),
        "{err}"
    );
    assert_eq!(baseline_entries(&base).len(), 3);
    let (code, _, err) = run_in(
        dir.path(),
        &["check", "src/api/more.rs", "--write-baseline", &b],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        baseline_entries(&base)
            .iter()
            .filter(|(r, _)| r == "unscoped-sql")
            .count(),
        2,
        "the leak in handlers.rs stays baselined: {err}"
    );
    let (code, out, _) = run_in(dir.path(), &["check", "--baseline", &b]);
    assert_eq!(code, 0, "everything is baselined: {out}");
}

#[test]
fn test_code_adds_no_tables_and_no_findings() {
    let dir = project();
    crate::support::write_tree(
        dir.path(),
        &[
            (
                "src/lib.rs",
                "pub mod api;\npub mod store;\n\n#[cfg(test)]\nmod fixtures {\n    pub const SCHEMA: &str = \"CREATE TABLE gadgets (id int PRIMARY KEY, org_id uuid NOT NULL)\";\n}\n",
            ),
            (
                "src/store/mod.rs",
                "pub mod repo;\n\n#[cfg(all(test, feature = \"pg\"))]\npub(crate) mod tests;\n",
            ),
            ("src/store/repo.rs", "pub fn nothing() {}\n"),
            (
                "src/store/tests.rs",
                "const DDL: &str = \"CREATE TABLE widgets (id int PRIMARY KEY, org_id uuid NOT NULL)\";\n\nasync fn wipe(pool: &PgPool) {\n    sqlx::query(\"DELETE FROM documents\").execute(pool).await.unwrap();\n}\n",
            ),
            (
                "src/store/tests/helpers.rs",
                "// tenant-lint: allow(unscoped-sql) test teardown\nconst T: &str = \"CREATE TABLE sprockets (id int, org_id uuid)\";\n",
            ),
        ],
    );
    let d = dir.path().display().to_string();
    let out = Command::cargo_bin("tenant-lint")
        .expect("built")
        .args(["schema", &d])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().any(|l| l.starts_with("1 tenant table ")),
        "{text}"
    );
    for t in ["gadgets", "widgets", "sprockets"] {
        assert!(!text.contains(t), "`{t}` comes from test code: {text}");
    }
    let (code, out, _) = run_in(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let v = json(&out);
    assert_eq!(
        findings(&v),
        [the_leak()],
        "no finding (nor unused suppression) in test modules"
    );
    assert_eq!(v["summary"]["skipped"], 2, "the two test module files");
    // With --include-tests they count.
    let (_, out, _) = run_in(
        dir.path(),
        &["check", "--format", "json", "--include-tests"],
    );
    let files: Vec<String> = findings(&json(&out)).into_iter().map(|f| f.0).collect();
    assert!(
        files.contains(&"src/store/tests.rs".to_string()),
        "{files:?}"
    );
}

/// `-o /dev/null` as root once replaced `/dev/null` with a regular file
/// (the report went through a temporary file renamed over the target). A
/// FIFO stands in for the device here.
#[cfg(target_os = "linux")]
#[test]
fn a_report_to_a_device_or_fifo_is_written_in_place() {
    use std::io::Read;
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let dir = project();
    let fifo = dir.path().join("report.fifo");
    let st = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(st.success());
    // A reader that does not wait for a writer (O_NONBLOCK), so the run
    // can open the FIFO, and the report (small) waits in the pipe.
    const O_NONBLOCK: i32 = 0o4000;
    let mut reader = fs::OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(&fifo)
        .expect("open the FIFO for reading");
    let f = fifo.display().to_string();
    for extra in [
        vec!["--format", "json", "-o", &f],
        vec!["--output-json", &f],
    ] {
        let mut args = vec!["check"];
        args.extend(extra.iter().copied());
        let (code, out, err) = run_in(dir.path(), &args);
        assert_eq!(code, 1, "{out}{err}");
        assert!(
            fs::symlink_metadata(&fifo)
                .expect("still there")
                .file_type()
                .is_fifo(),
            "the FIFO was replaced by a file ({args:?})"
        );
        let mut got = String::new();
        let _ = reader.read_to_string(&mut got);
        assert_eq!(findings(&json(&got)), [the_leak()], "{args:?}");
    }
}

/// `rust-version` in Cargo.toml is what the README promises, and no locked
/// dependency needed to build needs a newer compiler (the README said 1.85
/// while the lock file needed 1.88). Clippy's `incompatible_msrv` checks
/// our own code against it.
#[test]
fn the_stated_minimum_rust_is_true_of_the_lock_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest: toml::Table = fs::read_to_string(root.join("Cargo.toml"))
        .expect("Cargo.toml")
        .parse()
        .expect("toml");
    let ours = manifest["package"]["rust-version"]
        .as_str()
        .expect("rust-version is set")
        .to_string();
    let readme = fs::read_to_string(root.join("README.md")).expect("README");
    assert!(
        readme.contains(&format!("Rust {ours} or newer")),
        "README states another minimum than rust-version {ours}"
    );
    let version = |s: &str| -> [u64; 3] {
        let mut v = [0; 3];
        for (slot, part) in v.iter_mut().zip(s.split('.')) {
            *slot = part.parse().unwrap_or(0);
        }
        v
    };
    let out = std::process::Command::new(env!("CARGO"))
        .current_dir(root)
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .args(["--filter-platform", env!("TARGET_TRIPLE")])
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let packages = meta["packages"].as_array().expect("packages");
    // What `cargo install --locked` builds: the normal and build
    // dependencies, transitively.
    let nodes: std::collections::HashMap<&str, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| (n["id"].as_str().expect("id"), n))
        .collect();
    let mut stack = vec![meta["resolve"]["root"].as_str().expect("root")];
    let mut seen = std::collections::HashSet::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        for d in nodes[id]["deps"].as_array().expect("deps") {
            let built = d["dep_kinds"]
                .as_array()
                .expect("kinds")
                .iter()
                .any(|k| k["kind"].is_null() || k["kind"] == "build");
            if built {
                stack.push(d["pkg"].as_str().expect("pkg"));
            }
        }
    }
    let mut too_new: Vec<String> = packages
        .iter()
        .filter(|p| seen.contains(p["id"].as_str().unwrap_or("")))
        .filter_map(|p| {
            let needs = p["rust_version"].as_str()?;
            (version(needs) > version(&ours))
                .then(|| format!("{} {} needs {needs}", p["name"], p["version"]))
        })
        .collect();
    too_new.sort();
    assert!(too_new.is_empty(), "rust-version {ours}, but {too_new:?}");
}

#[test]
fn a_named_example_in_the_workspace_is_analysed() {
    let dir = tempfile::tempdir().expect("tempdir");
    // An example that is a member of the repository's workspace (as in
    // many framework repositories): naming it analyses it, though
    // `examples/` is test code when the whole workspace is checked.
    crate::support::write_tree(
        dir.path(),
        &[("Cargo.toml", "[workspace]\nmembers = [\"examples/*\"]\n")],
    );
    let shop = dir.path().join("examples/shop");
    crate::support::write_tree(&shop, PROJECT);
    let (code, out, _) = run_in(dir.path(), &["check", "examples/shop", "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let files: Vec<String> = findings(&json(&out)).into_iter().map(|f| f.0).collect();
    assert_eq!(files, ["examples/shop/src/api/handlers.rs"]);
    let (code, out, _) = run_in(&shop, &["check", "--format", "json"]);
    assert_eq!(code, 1, "from inside it too: {out}");
    // Found by review: naming a directory or file inside the example left
    // its migrations as test code ("no tenant tables").
    for (cwd, args) in [
        (shop.join("src/api"), vec!["check"]),
        (
            dir.path().to_path_buf(),
            vec!["check", "examples/shop/src/api/handlers.rs"],
        ),
    ] {
        let mut a = args.clone();
        a.extend(["--format", "json"]);
        let (code, out, err) = run_in(&cwd, &a);
        assert_eq!(code, 1, "{args:?} in {}: {out}{err}", cwd.display());
    }
    let (code, out, _) = run_in(dir.path(), &["check", "--format", "json"]);
    assert_eq!(
        code, 0,
        "the whole workspace: examples are test code: {out}"
    );
}

/// Found by review: `--since` hid findings in files git treats as binary,
/// in an untracked repository inside this one, and in files whose names
/// are not UTF-8.
#[cfg(unix)]
#[test]
fn since_sees_binary_marked_files_nested_repositories_and_any_file_name() {
    use std::os::unix::ffi::OsStrExt;
    let dir = project();
    crate::support::write_tree(dir.path(), &[(".gitattributes", "*.rs -diff\n")]);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "first"]);
    let leak = "pub async fn purge(pool: &PgPool, id: Uuid) -> sqlx::Result<()> {\n    sqlx::query(\"DELETE FROM documents WHERE id = $1\").bind(id).execute(pool).await?;\n    Ok(())\n}\n";
    // A tracked file, marked binary, changed.
    let handlers = dir.path().join("src/api/handlers.rs");
    let mut text = fs::read_to_string(&handlers).expect("read");
    text.push_str(leak);
    fs::write(&handlers, text).expect("write");
    // Another repository, not tracked here.
    let vendored = dir.path().join("src/vendored");
    crate::support::write_tree(&vendored, &[("purge.rs", leak)]);
    git(&vendored, &["init", "-q"]);
    // A file whose name is not UTF-8 (Latin-1 `é`).
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.rs");
    fs::write(dir.path().join("src/api").join(name), leak).expect("write");
    let (code, out, err) = run_in(
        dir.path(),
        &["check", "--since", "HEAD", "--format", "json"],
    );
    assert_eq!(code, 1, "{out}{err}");
    let v = json(&out);
    let mut lines: Vec<(String, u64)> = findings(&v).into_iter().map(|f| (f.0, f.1)).collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            ("src/api/caf\u{fffd}.rs".to_string(), 2),
            ("src/api/handlers.rs".to_string(), 16),
            ("src/vendored/purge.rs".to_string(), 2),
        ],
        "{out}"
    );
    assert_eq!(v["since_hidden"], 1, "the old leak only");
}

/// Found by review: the configuration came from the first named path, so
/// one project gave different findings depending on the arguments; and
/// paths in two projects merged their tenant models under one config.
#[test]
fn one_project_one_configuration_whatever_the_arguments() {
    let repo = tempfile::tempdir().expect("tempdir");
    let ws = repo.path().join("ws");
    crate::support::write_tree(&ws, PROJECT);
    crate::support::write_tree(
        &ws,
        &[(
            "src/api/tenant-lint.toml",
            "[rules]\nunscoped-sql = \"off\"\n",
        )],
    );
    git(repo.path(), &["init", "-q"]);
    let mut seen = Vec::new();
    for args in [
        vec!["check"],
        vec!["check", "src/api"],
        vec!["check", "src/api", "migrations"],
        vec!["check", "migrations", "src/api"],
    ] {
        let mut a = args.clone();
        a.extend(["--format", "json"]);
        let (code, out, _) = run_in(&ws, &a);
        let v = json(&out);
        seen.push((code, findings(&v).len(), v["config"].clone()));
    }
    assert!(seen.iter().all(|s| *s == (1, 1, Value::Null)), "{seen:?}");

    // Two projects named together: refused, loudly.
    crate::support::write_tree(&repo.path().join("other"), PROJECT);
    let (code, _, err) = run_in(repo.path(), &["check", "ws", "other"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("belong to different projects"), "{err}");
}

/// Found by review: fingerprints were keyed by the path inside the
/// project, so the same code in two projects of one repository shared
/// them (one project's baseline hid the other's leak), and they changed
/// with the project root a run chose.
#[test]
fn fingerprints_are_those_of_the_repository_path() {
    let repo = tempfile::tempdir().expect("tempdir");
    crate::support::write_tree(&repo.path().join("one"), PROJECT);
    crate::support::write_tree(&repo.path().join("two"), PROJECT);
    git(repo.path(), &["init", "-q"]);
    let prints = |cwd: &Path, args: &[&str]| -> Vec<(String, String)> {
        let mut a = args.to_vec();
        a.extend(["--format", "json"]);
        let (_, out, _) = run_in(cwd, &a);
        json(&out)["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                (
                    f["file"].as_str().expect("file").to_string(),
                    f["fingerprint"].as_str().expect("fingerprint").to_string(),
                )
            })
            .collect()
    };
    let one = prints(repo.path(), &["check", "one"]);
    let two = prints(repo.path(), &["check", "two"]);
    assert_eq!(one.len(), 1);
    assert_ne!(
        one[0].1, two[0].1,
        "same code, two projects: {one:?} {two:?}"
    );
    // The repository root has no Cargo.toml: a run from there analyses
    // both as one project, and finds the same fingerprints.
    let all = prints(repo.path(), &["check"]);
    assert_eq!(all, [one[0].clone(), two[0].clone()]);
    assert_eq!(prints(&repo.path().join("one/src"), &["check"]), one);
}

/// Found by review: naming an ignored or hidden file said "no findings"
/// and exited 0, as if it had been looked at.
#[test]
fn a_named_path_that_is_not_analysed_is_said() {
    let dir = project();
    crate::support::write_tree(
        dir.path(),
        &[
            (".gitignore", "src/generated/\n"),
            (
                "src/generated/q.rs",
                "pub async fn f(pool: &PgPool) { sqlx::query(\"DELETE FROM documents\").execute(pool).await; }\n",
            ),
        ],
    );
    git(dir.path(), &["init", "-q"]);
    let (code, _, err) = run_in(dir.path(), &["check", "src/generated/q.rs"]);
    assert_eq!(code, 0);
    assert!(
        err.contains("nothing under `src/generated/q.rs` was analysed"),
        "{err}"
    );
    let (_, _, err) = run_in(dir.path(), &["check", "src/api"]);
    assert!(!err.contains("was analysed"), "{err}");
}

/// The published crate holds every file the code embeds (rule docs, ORM
/// and framework knowledge), the licences the manifest names, and no
/// fixture: `cargo package --list` (offline, nothing built).
#[test]
fn the_package_holds_what_the_build_embeds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new(env!("CARGO"))
        .current_dir(root)
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .output()
        .expect("cargo package runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: std::collections::HashSet<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    // Every `include_str!("..")` under src/, as a path from the root.
    let mut embedded = Vec::new();
    let mut stack = vec![root.join("src")];
    while let Some(dir) = stack.pop() {
        for e in fs::read_dir(&dir).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let text = fs::read_to_string(&p).unwrap_or_default();
            for (at, _) in text.match_indices("include_str!(\"") {
                let rest = &text[at + "include_str!(\"".len()..];
                let Some(end) = rest.find('"') else { continue };
                let target = p.parent().expect("dir").join(&rest[..end]);
                let target = fs::canonicalize(&target).expect("embedded file exists");
                let rel = target
                    .strip_prefix(fs::canonicalize(root).expect("root"))
                    .expect("under the root");
                embedded.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    assert!(embedded.len() >= 11, "{embedded:?}");
    for f in &embedded {
        assert!(listed.contains(f), "{f} is embedded but not packaged");
    }
    for f in ["LICENSE-APACHE", "LICENSE-MIT", "README.md", "Cargo.lock"] {
        assert!(listed.contains(f), "{f} is not packaged");
    }
    assert!(
        !listed
            .iter()
            .any(|f| f.starts_with("fixtures/") || f.starts_with("target/")),
        "fixtures or build output packaged"
    );
}
