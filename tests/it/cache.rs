//! The on-disk cache: a warm run gives exactly the findings of a cold run
//! and of a run without cache, re-analyses only what changed (including
//! files read through `query_file!`), and never trusts a corrupt, foreign
//! or stale cache.

use crate::support::fixture;
use std::fs;
use std::path::Path;
use tenant_lint::engine::{self, CheckOptions, Report};

fn run(paths: &Path, cache: Option<&Path>) -> Report {
    engine::check(&CheckOptions {
        paths: vec![paths.to_path_buf()],
        cache: cache.map(Path::to_path_buf),
        ..CheckOptions::default()
    })
    .expect("check")
}

/// Everything a renderer shows, as text.
fn shown(r: &Report) -> String {
    let files: Vec<&str> = r.files.iter().map(|f| f.rel.as_str()).collect();
    format!(
        "{files:?}\n{:?}\n{:?}\n{:?}",
        r.findings, r.suppressed_findings, r.audit
    )
}

fn trees() -> Vec<String> {
    let mut trees: Vec<String> = vec!["demo".into()];
    for rule in fs::read_dir(fixture("")).expect("fixtures").flatten() {
        for kind in ["fail", "pass"] {
            if rule.path().join(kind).is_dir() {
                trees.push(format!("{}/{kind}", rule.file_name().to_string_lossy()));
            }
        }
    }
    trees
}

#[test]
fn warm_runs_match_cold_runs_on_every_fixture() {
    for t in trees() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = fixture(&t);
        let none = run(&path, None);
        let cold = run(&path, Some(dir.path()));
        let warm = run(&path, Some(dir.path()));
        assert_eq!(shown(&none), shown(&cold), "{t}: cold");
        assert_eq!(shown(&none), shown(&warm), "{t}: warm");
        assert_eq!(cold.stats.cached_queries, 0, "{t}");
        assert!(
            warm.stats.cached_queries >= warm.stats.parsed,
            "{t}: every analysed file came from the cache"
        );
        assert_eq!(
            (warm.stats.parsed, warm.stats.failed),
            (none.stats.parsed, none.stats.failed),
            "{t}"
        );
    }
}

const SCHEMA: &str =
    "diesel::table! { documents (id) { id -> Uuid, org_id -> Uuid, title -> Text, } }\n";

fn project(d: &Path) {
    let w = |rel: &str, text: &str| {
        let p = d.join(rel);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(p, text).expect("write");
    };
    w(
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n",
    );
    w("src/schema.rs", SCHEMA);
    w(
        "src/a.rs",
        "use crate::schema::documents;\npub fn a(conn: &mut PgConnection, org: Uuid) -> QueryResult<Vec<Doc>> {\n    documents::table.filter(documents::org_id.eq(org)).load(conn)\n}\n",
    );
    w(
        "src/b.rs",
        "use crate::schema::documents;\npub fn b(conn: &mut PgConnection, org: Uuid) -> QueryResult<Vec<Doc>> {\n    documents::table.filter(documents::org_id.eq(org)).load(conn)\n}\n",
    );
    w(
        "src/c.rs",
        "pub async fn c(pool: &PgPool, org: Uuid) -> Result<Vec<Doc>> {\n    sqlx::query_file_as!(Doc, \"queries/list.sql\", org).fetch_all(pool).await\n}\n",
    );
    w(
        "queries/list.sql",
        "SELECT id, title FROM documents WHERE org_id = $1",
    );
}

fn lines(r: &Report) -> Vec<(String, u32, &'static str)> {
    r.findings
        .iter()
        .map(|f| (r.files[f.file].rel.clone(), f.span.start.line, f.rule))
        .collect()
}

#[test]
fn only_changed_files_are_reanalysed() {
    let src = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let d = src.path();
    project(d);
    let first = run(d, Some(cache.path()));
    assert!(first.findings.is_empty(), "{:?}", lines(&first));
    assert_eq!(first.stats.parsed, 3);

    // One query file changes: it alone is parsed again.
    fs::write(
        d.join("src/b.rs"),
        "use crate::schema::documents;\npub fn b(conn: &mut PgConnection, org: Uuid) -> QueryResult<Vec<Doc>> {\n    // now unscoped\n    documents::table.load(conn)\n}\n",
    )
    .expect("write");
    let second = run(d, Some(cache.path()));
    assert_eq!(
        lines(&second),
        vec![("src/b.rs".to_string(), 4, "unscoped-query")]
    );
    assert_eq!(
        second.stats.cached_queries, 3,
        "schema.rs, a.rs, c.rs reused"
    );
    assert_eq!(shown(&second), shown(&run(d, None)));

    // The SQL file a query reads changes: the file that reads it is judged
    // again although its own bytes did not change.
    fs::write(
        d.join("queries/list.sql"),
        "SELECT id, title FROM documents",
    )
    .expect("write");
    let third = run(d, Some(cache.path()));
    assert!(
        lines(&third).contains(&("queries/list.sql".to_string(), 1, "unscoped-sql")),
        "{:?}",
        lines(&third)
    );
    assert_eq!(
        third.stats.cached_queries, 3,
        "schema.rs, a.rs, b.rs reused"
    );
    assert_eq!(shown(&third), shown(&run(d, None)));

    // The schema changes: the model differs, so every query is judged again.
    fs::write(
        d.join("src/schema.rs"),
        "diesel::table! { documents (id) { id -> Uuid, title -> Text, } }\n",
    )
    .expect("write");
    let fourth = run(d, Some(cache.path()));
    assert_eq!(fourth.stats.cached_queries, 0);
    assert_eq!(shown(&fourth), shown(&run(d, None)));
    assert!(fourth.findings.is_empty(), "no tenant table any more");

    // A config file appears: nothing cached under the old one is trusted.
    fs::write(
        d.join("tenant-lint.toml"),
        "[tenant]\ncolumns = [\"title\"]\n",
    )
    .expect("write");
    let fifth = run(d, Some(cache.path()));
    assert_eq!(
        (fifth.stats.cached_schema, fifth.stats.cached_queries),
        (0, 0)
    );
    assert_eq!(shown(&fifth), shown(&run(d, None)));
}

#[test]
fn a_corrupt_or_foreign_cache_is_ignored_and_rewritten() {
    let src = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let d = src.path();
    project(d);
    let reference = shown(&run(d, None));
    run(d, Some(cache.path()));
    let files: Vec<_> = fs::read_dir(cache.path())
        .expect("ls")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let bin = &files[0];
    let good = fs::read(bin).expect("read");
    let mut variants: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"not a cache".to_vec(),
        good[..good.len() / 2].to_vec(),
    ];
    for at in [0, 10, 20, 40, good.len() - 1] {
        let mut v = good.clone();
        v[at] ^= 0x55;
        variants.push(v);
    }
    for v in variants {
        fs::write(bin, &v).expect("write");
        let r = run(d, Some(cache.path()));
        assert_eq!(shown(&r), reference);
        assert_eq!(r.stats.cached_queries, 0, "nothing trusted");
        let again = run(d, Some(cache.path()));
        assert_eq!(again.stats.cached_queries, 4, "rewritten and used");
        assert_eq!(shown(&again), reference);
    }
}

#[test]
fn an_unwritable_cache_is_a_note_not_a_failure() {
    let src = tempfile::tempdir().expect("tempdir");
    let d = src.path();
    project(d);
    // A file where the cache directory should be.
    let blocker = d.join("blocker");
    fs::write(&blocker, "").expect("write");
    let r = run(d, Some(&blocker.join("cache")));
    assert!(r.findings.is_empty());
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("could not write the cache")),
        "{:?}",
        r.notes
    );
}
