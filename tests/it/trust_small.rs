//! "Trust: no silent wrong results": what users type back from our own
//! output is accepted, help fits the file, `schema` stays readable, and
//! `init` writes a config that does not hide tables.

use assert_cmd::Command;
use std::fs;
use std::path::Path;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("tenant-lint")
        .expect("binary built")
        .env_remove("NO_COLOR")
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A temp project holding `files` (path, text).
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    crate::support::write_tree(dir.path(), files);
    dir
}

fn p(d: &Path) -> String {
    d.display().to_string()
}

/// One Diesel query that ignores the tenant in reach: an `unscoped-query` error.
const LEAK: [(&str, &str); 2] = [
    (
        "src/schema.rs",
        "diesel::table! { documents (id) { id -> Uuid, org_id -> Uuid, } }\n",
    ),
    (
        "src/repo.rs",
        "use crate::schema::documents;\n\npub fn all(conn: &mut PgConnection, org_id: Uuid) -> QueryResult<Vec<Doc>> {\n    documents::table.load(conn)\n}\n",
    ),
];

#[test]
fn warning_is_accepted_wherever_a_severity_is_read() {
    let config = (
        "tenant-lint.toml",
        "[rules]\nunscoped-query = \"warning\"\n",
    );
    let dir = project(&[LEAK[0], LEAK[1], config]);
    let d = p(dir.path());
    let (code, out, err) = run(&["check", &d, "--color", "never"]);
    assert_eq!(
        code, 0,
        "a warning does not fail the run by default: {out}{err}"
    );
    assert!(out.contains("warning[unscoped-query]"), "{out}{err}");
    for spelling in ["warning", "warn"] {
        let (code, out, err) = run(&["check", &d, "--fail-on", spelling]);
        assert_eq!(code, 1, "--fail-on {spelling}: {out}{err}");
    }
    assert_eq!(run(&["check", &d, "--fail-on", "warnings"]).0, 2);
}

#[test]
fn every_level_rules_prints_is_accepted_in_config() {
    let (code, out, _) = run(&["rules"]);
    assert_eq!(code, 0);
    let mut config = String::from("[rules]\n");
    let mut printed = Vec::new();
    for line in out.lines() {
        let mut words = line.split_whitespace();
        let (Some(id), Some(level)) = (words.next(), words.next()) else {
            continue;
        };
        config.push_str(&format!("{id} = \"{level}\"\n"));
        printed.push(level.to_string());
    }
    assert!(printed.iter().any(|l| l == "warning"), "{out}");
    let dir = project(&[LEAK[0], LEAK[1], ("tenant-lint.toml", &config)]);
    let (code, out, err) = run(&["check", &p(dir.path()), "--color", "never"]);
    assert_eq!(code, 1, "{config}\n{out}{err}");
    assert!(out.contains("error[unscoped-query]"), "{out}");
}

/// The `help` of each `parse-error` finding, by file.
fn parse_error_help(dir: &Path) -> Vec<(String, String)> {
    let report = tenant_lint::engine::check(&tenant_lint::engine::CheckOptions {
        paths: vec![dir.to_path_buf()],
        ..Default::default()
    })
    .expect("check");
    let mut v: Vec<(String, String)> = report
        .findings
        .iter()
        .filter(|f| f.rule == "parse-error")
        .map(|f| {
            (
                report.files[f.file].rel.clone(),
                f.help.clone().unwrap_or_default(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn parse_error_help_fits_the_kind_of_file() {
    let dir = project(&[
        // A table definition sqlparser rejects, and a dump that is not UTF-8.
        (
            "migrations/0001_init.sql",
            "CREATE TABLE docs (id uuid PRIMARY KEY, org_id uuid NOT NULL) WIBBLE WOBBLE;\n",
        ),
        ("db/schema.sql", "CREATE TABLE a (id int);\n-- caf\u{e9}\n"),
        // A Rust file that does not parse.
        ("src/bad.rs", "fn f( {\n    sqlx::query!(\"SELECT 1\")\n"),
    ]);
    let mut latin1 = b"CREATE TABLE a (id int);\n-- caf".to_vec();
    latin1.push(0xe9);
    fs::write(dir.path().join("db/schema.sql"), latin1).expect("write");
    let help = parse_error_help(dir.path());
    let files: Vec<&str> = help.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        files,
        ["db/schema.sql", "migrations/0001_init.sql", "src/bad.rs"]
    );
    for (file, help) in &help {
        // The dump that is not UTF-8 is to be saved as UTF-8.
        assert_eq!(
            help.starts_with("save the file as UTF-8"),
            file == "db/schema.sql",
            "{file}: {help}"
        );
        if file.ends_with(".sql") {
            assert!(!help.contains("Rust"), "{file}: {help}");
            assert!(help.contains("migration"), "{file}: {help}");
        } else {
            assert!(help.contains("if it is not Rust"), "{file}: {help}");
        }
    }
}

#[test]
fn schema_columns_align_with_several_tenant_columns() {
    let dir = project(&[(
        "migrations/0001_init.sql",
        "CREATE TABLE docs (id uuid PRIMARY KEY, org_id uuid NOT NULL);\n\
         CREATE TABLE memberships (id uuid, organization_id uuid NOT NULL, workspace_id uuid NOT NULL);\n\
         CREATE TABLE a_table_name_longer_than_twenty_eight (id uuid, tenant_id uuid NOT NULL);\n",
    )]);
    // From the project directory, so paths print relative to it.
    let done = Command::cargo_bin("tenant-lint")
        .expect("binary built")
        .current_dir(dir.path())
        .arg("schema")
        .output()
        .expect("runs");
    assert_eq!(
        done.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let out = String::from_utf8_lossy(&done.stdout).into_owned();
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("  ")).collect();
    assert_eq!(rows.len(), 3, "{out}");
    // Each field starts in the same column on every row, after a space.
    let starts = |needle: &dyn Fn(&str) -> &str| -> Vec<usize> {
        rows.iter()
            .map(|r| {
                let at = r.find(needle(r)).unwrap_or_else(|| panic!("{r}"));
                assert_eq!(&r[at - 1..at], " ", "{out}");
                at
            })
            .collect()
    };
    let columns = starts(&|r: &str| {
        ["organization_id, workspace_id", "org_id", "tenant_id"]
            .into_iter()
            .find(|c| r.contains(c))
            .unwrap_or("?")
    });
    let paths = starts(&|_| "migrations/0001_init.sql:");
    assert!(columns.iter().all(|c| *c == columns[0]), "{out}");
    assert!(paths.iter().all(|c| *c == paths[0]), "{out}");
    assert!(
        out.contains("organization_id, workspace_id  direct  migrations/0001_init.sql:2 (sql)"),
        "{out}"
    );
}

/// (table, help) of each `missing-rls` finding of a report.
fn rls_help(report: &tenant_lint::engine::Report) -> Vec<(String, String)> {
    report
        .findings
        .iter()
        .filter(|f| f.rule == "missing-rls")
        .map(|f| {
            let table = f.message.split('`').nth(1).unwrap_or("").to_string();
            (table, f.help.clone().unwrap_or_default())
        })
        .collect()
}

#[test]
fn missing_rls_help_gives_only_what_is_missing() {
    let policy = |t: &str| {
        format!("CREATE POLICY tenant_isolation ON {t} USING (tenant_id = current_setting('app.tenant_id')::uuid);")
    };
    let enable = |t: &str| format!("ALTER TABLE {t} ENABLE ROW LEVEL SECURITY;");
    let force = |t: &str| format!("ALTER TABLE {t} FORCE ROW LEVEL SECURITY;");
    let got = rls_help(&crate::support::check("missing-rls/fail"));
    let want: Vec<(String, String)> = [
        (
            "contracts",
            [enable("contracts"), force("contracts"), policy("contracts")].join(" "),
        ),
        // Beside its `USING (true)` policy, only a restrictive one helps.
        (
            "signatures",
            policy("signatures").replace(" USING", " AS RESTRICTIVE USING"),
        ),
        ("audit_log", force("audit_log")),
        ("payouts", enable("payouts")),
        ("receipts", policy("receipts")),
    ]
    .into_iter()
    .map(|(t, h)| (t.to_string(), h))
    .collect();
    assert_eq!(got, want);

    // Without `require-force`, FORCE is neither asked for nor suggested.
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("tenant-lint.toml");
    fs::write(&config, "[rules]\nmissing-rls = \"warn\"\n").expect("write");
    let got = rls_help(&crate::support::check_with("missing-rls/fail", |o| {
        o.config = Some(config.clone());
    }));
    let tables: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(tables, ["contracts", "signatures", "payouts", "receipts"]);
    assert_eq!(
        got[0].1,
        [enable("contracts"), policy("contracts")].join(" ")
    );
    assert!(got.iter().all(|(_, h)| !h.contains("FORCE")), "{got:#?}");
}

/// The table names `schema` lists as tenant tables.
fn tenant_tables(dir: &Path) -> Vec<String> {
    let (code, out, err) = run(&["schema", &p(dir)]);
    assert_eq!(code, 0, "{err}");
    out.lines()
        .filter(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

const TENANT_ID_TABLE: (&str, &str) = (
    "migrations/0002_invoices.sql",
    "CREATE TABLE invoices (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);\n",
);

#[test]
fn init_config_keeps_the_default_tenant_columns() {
    // Only `org_id` is in use when `init` runs.
    let dir = project(&LEAK);
    let (code, _, err) = run(&["init", &p(dir.path())]);
    assert_eq!(code, 0, "{err}");
    let text = fs::read_to_string(dir.path().join("tenant-lint.toml")).expect("config");
    assert!(
        !text.lines().any(|l| l.starts_with("columns")),
        "nothing beyond the defaults was found, so `columns` stays commented out:\n{text}"
    );
    assert!(text.contains("replaces the default"), "{text}");
    // A `tenant_id` table added later is still a tenant table.
    fs::create_dir_all(dir.path().join("migrations")).expect("mkdir");
    fs::write(dir.path().join(TENANT_ID_TABLE.0), TENANT_ID_TABLE.1).expect("write");
    assert_eq!(tenant_tables(dir.path()), ["documents", "invoices"]);
}

#[test]
fn init_config_with_a_custom_column_lists_the_defaults_too() {
    // A project whose tenant column is not a default one, known from an
    // existing config that `init --force` rewrites.
    let dir = project(&[
        ("tenant-lint.toml", "[tenant]\ncolumns = [\"account_id\"]\n"),
        (
            "migrations/0001_init.sql",
            "CREATE TABLE ledgers (id uuid PRIMARY KEY, account_id uuid NOT NULL);\n",
        ),
    ]);
    let (code, _, err) = run(&["init", &p(dir.path()), "--force"]);
    assert_eq!(code, 0, "{err}");
    let text = fs::read_to_string(dir.path().join("tenant-lint.toml")).expect("config");
    assert!(
        text.contains(
            "columns = [\"tenant_id\", \"org_id\", \"organization_id\", \"workspace_id\", \"account_id\"]"
        ),
        "{text}"
    );
    fs::write(dir.path().join(TENANT_ID_TABLE.0), TENANT_ID_TABLE.1).expect("write");
    assert_eq!(tenant_tables(dir.path()), ["invoices", "ledgers"]);
}
