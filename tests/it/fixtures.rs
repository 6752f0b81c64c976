//! Every fixture tree: the findings match the `//~` markers one to one, and
//! `pass/` trees produce nothing.

use crate::support::{check, fixture, found, markers};

/// Each rule's trees are judged on that rule (as clippy's UI tests run one
/// lint); the other trees (`demo`, `cross-function`) on every rule.
fn rules_of(rel: &str) -> Vec<String> {
    match rel.split('/').next() {
        Some("invalid-suppression") => vec!["invalid-suppression".into(), "unscoped-query".into()],
        Some(rule) if tenant_lint::rules::meta(rule).is_some() => vec![rule.to_string()],
        _ => Vec::new(),
    }
}

fn judged(rel: &str, v: Vec<(String, u32, String)>) -> Vec<(String, u32, String)> {
    let rules = rules_of(rel);
    v.into_iter()
        .filter(|(_, _, r)| rules.is_empty() || rules.contains(r))
        .collect()
}

fn assert_markers(rel: &str) {
    let report = check(rel);
    let expected = judged(rel, markers(&fixture(rel)));
    let got = judged(rel, found(&report));
    let missing: Vec<_> = expected.iter().filter(|m| !got.contains(m)).collect();
    let extra: Vec<_> = got.iter().filter(|m| !expected.contains(m)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{rel}: missing findings {missing:#?}\nunexpected findings {extra:#?}"
    );
}

fn assert_clean(rel: &str) {
    let report = check(rel);
    assert!(
        markers(&fixture(rel)).is_empty(),
        "{rel}: pass trees carry no markers"
    );
    let got = judged(rel, found(&report));
    assert!(got.is_empty(), "{rel}: expected no findings, got {got:#?}");
    assert!(report.stats.analysed > 0, "{rel}: nothing was analysed");
}

/// Every rule of the registry: its `fail/` tree gives exactly the marked
/// findings, its `pass/` tree none (a new rule needs no test of its own
/// here; the registry's unit tests check that both trees exist).
#[test]
fn every_rule_matches_its_markers() {
    for r in tenant_lint::rules::RULES {
        assert_markers(&format!("{}/fail", r.id));
        assert_clean(&format!("{}/pass", r.id));
    }
}

#[test]
fn unscoped_query_fail() {
    assert_markers("unscoped-query/fail");
    // The tree must exercise the rule for real.
    assert!(markers(&fixture("unscoped-query/fail")).len() >= 30);
}

#[test]
fn invalid_suppression_pass() {
    let report = check("invalid-suppression/pass");
    assert_eq!(found(&report), vec![]);
    assert_eq!(
        report.suppressed, 4,
        "each query is silenced by its allow, two by one `allow-file`"
    );
}

#[test]
fn demo_project() {
    assert_markers("demo");
}

#[test]
fn every_rule_has_doc_and_fixtures() {
    for r in tenant_lint::rules::RULES {
        let doc = std::fs::read_to_string(fixture("../rules").join(format!("{}.md", r.id)))
            .unwrap_or_else(|e| panic!("rules/{}.md: {e}", r.id));
        for section in [
            "## What it does",
            "## Why it matters",
            "## Example",
            "## Options",
            "## Known limitations",
        ] {
            assert!(doc.contains(section), "rules/{}.md lacks `{section}`", r.id);
        }
        for kind in ["fail", "pass"] {
            assert!(
                fixture(r.id).join(kind).is_dir(),
                "fixtures/{}/{kind} is missing",
                r.id
            );
        }
    }
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let one = crate::support::check_with("unscoped-query/fail", |o| o.jobs = Some(1));
    let two = crate::support::check_with("unscoped-query/fail", |o| o.jobs = Some(2));
    let key = |r: &tenant_lint::engine::Report| -> Vec<(String, u32, String, String)> {
        r.findings
            .iter()
            .map(|f| {
                (
                    r.files[f.file].rel.clone(),
                    f.span.start.line,
                    f.message.clone(),
                    f.fingerprint.clone(),
                )
            })
            .collect()
    };
    assert_eq!(key(&one), key(&two));
}

#[test]
fn unscoped_sql_fail() {
    assert_markers("unscoped-sql/fail");
    assert!(markers(&fixture("unscoped-sql/fail")).len() >= 25);
}

#[test]
fn untrusted_tenant_source_is_off_by_default() {
    // The fail tree with an empty config: every query there is bound, so
    // nothing but the child bound by an unchecked parent key from the
    // request (`unscoped-query`, on by default) is reported.
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("tenant-lint.toml");
    std::fs::write(&empty, "").expect("write config");
    let report = crate::support::check_with("untrusted-tenant-source/fail", |o| {
        o.config = Some(empty.clone());
    });
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["unscoped-query"], "{:#?}", found(&report));
}

#[test]
fn missing_rls_is_off_by_default() {
    // The same tree without its config: the rule stays silent.
    let dir = tempfile::tempdir().expect("tempdir");
    let from = fixture("missing-rls/fail/migrations");
    std::fs::create_dir_all(dir.path().join("migrations")).expect("mkdir");
    for e in std::fs::read_dir(&from).expect("read").flatten() {
        std::fs::copy(e.path(), dir.path().join("migrations").join(e.file_name())).expect("copy");
    }
    let report = tenant_lint::engine::check(&tenant_lint::engine::CheckOptions {
        paths: vec![dir.path().to_path_buf()],
        ..Default::default()
    })
    .expect("check");
    assert!(report.findings.iter().all(|f| f.rule != "missing-rls"));
}

#[test]
fn superuser_access_fail() {
    assert_markers("superuser-access/fail");
    // Every call is audited: flagged, allowed by path, or justified.
    let report = check("superuser-access/fail");
    let statuses: Vec<&str> = report.audit.iter().map(|a| a.status).collect();
    assert_eq!(
        statuses,
        ["allowed-path", "flagged", "flagged", "justified"]
    );
    let justified = report
        .audit
        .iter()
        .find(|a| a.status == "justified")
        .expect("justified call");
    assert_eq!(
        justified.justification.as_deref(),
        Some("nightly usage export, reviewed in SEC-142")
    );
    assert_eq!(justified.function, "usage_report");
}

fn keyed(r: &tenant_lint::engine::Report) -> Vec<(String, u32, u32, String, String)> {
    r.findings
        .iter()
        .map(|f| {
            (
                r.files[f.file].rel.clone(),
                f.span.start.line,
                f.span.start.col,
                f.rule.to_string(),
                f.fingerprint.clone(),
            )
        })
        .collect()
}

/// The prefilter only skips files that cannot matter: with and
/// without it, every fixture tree gives the same findings in the same
/// order (parse errors aside: skipped files are not parsed, and most are
/// not even tokenised).
#[test]
fn prefilter_loses_nothing_on_any_fixture() {
    let root = fixture("");
    let mut trees: Vec<String> = vec!["demo".into()];
    for rule in std::fs::read_dir(&root).expect("fixtures").flatten() {
        for kind in ["fail", "pass"] {
            let p = rule.path().join(kind);
            if p.is_dir() {
                trees.push(format!("{}/{kind}", rule.file_name().to_string_lossy()));
            }
        }
    }
    assert!(trees.len() > 15, "{trees:?}");
    for t in trees {
        let with = crate::support::check(&t);
        let without = crate::support::check_with(&t, |o| o.no_prefilter = true);
        let strip = |v: Vec<(String, u32, u32, String, String)>| -> Vec<_> {
            v.into_iter().filter(|k| k.3 != "parse-error").collect()
        };
        assert_eq!(strip(keyed(&with)), strip(keyed(&without)), "{t}");
    }
}

/// Same on a generated workspace (SeaORM, Diesel and sqlx crates with
/// plenty of unrelated code), where the prefilter skips most files; and
/// the same again with one or two threads and a cold or warm cache.
#[test]
fn prefilter_loses_nothing_on_a_generated_workspace() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = crate::corpus::generate(3, 40_000, crate::corpus::Style::default());
    corpus.write(dir.path());
    let cache = tempfile::tempdir().expect("tempdir");
    let run_with = |no_prefilter: bool, jobs: Option<usize>, cached: bool| {
        tenant_lint::engine::check(&tenant_lint::engine::CheckOptions {
            paths: vec![dir.path().to_path_buf()],
            no_prefilter,
            jobs,
            cache: cached.then(|| cache.path().to_path_buf()),
            ..Default::default()
        })
        .expect("check")
    };
    let run = |no_prefilter: bool| run_with(no_prefilter, None, false);
    let with = run(false);
    let without = run(true);
    // Nor on the thread count or the cache state.
    let cold = run_with(false, Some(1), true);
    let warm = run_with(false, Some(2), true);
    assert!(warm.stats.cached_queries > 0);
    assert_eq!(keyed(&with), keyed(&cold));
    assert_eq!(keyed(&with), keyed(&warm));
    // Exactly the leaks the generator wrote, no more.
    assert_eq!(found(&with), corpus.expected());
    assert!(corpus.leaks.len() >= 20, "{}", corpus.leaks.len());
    assert!(
        with.stats.parsed * 2 < without.stats.parsed,
        "the prefilter skipped most files: {:?}",
        with.stats
    );
    assert_eq!(keyed(&with), keyed(&without));
}

/// Issue 9: helpers that build, scope, transform, execute or look up
/// queries (`secure_find(org)`, `live()`, `with_status(q, ..)`, recursive
/// `under_path`, `generic_find_one::<T, _, _>(conn, pred)`,
/// `Folder::find_by_uuid`, ...) are resolved across crates with an empty
/// config. Query-returning helpers are reported at the caller's executing
/// call, executing helpers at each call with the predicate passed there,
/// lookup helpers at the callers that use the rows unchecked when another
/// caller checks, else at the helper. The findings are exactly the `//~`
/// markers of `cross-function/fail` (CASES.md says which case each is);
/// `pass/` holds the safe look-alikes.
#[test]
fn cross_function_query_helpers() {
    let rel = "cross-function/fail";
    let report = check(rel);
    // The finding names the helper chain and labels where it executes.
    let sync = report
        .findings
        .iter()
        .find(|f| report.files[f.file].rel.ends_with("payments.rs") && f.span.start.line == 81)
        .expect("payments.rs:81");
    assert!(
        sync.message
            .contains("executed through `generic_find_one` → `generic_find_one_core`"),
        "{}",
        sync.message
    );
    let labelled: Vec<(String, u32)> = sync
        .labels
        .iter()
        .map(|l| (report.files[l.file].rel.clone(), l.span.start.line))
        .collect();
    for site in [29, 41] {
        assert!(
            labelled.contains(&(
                "fixtures/cross-function/fail/crates/store/src/query/generics.rs".into(),
                site
            )),
            "{labelled:?}"
        );
    }
    // Every marker (including raw SQL run by `query_raw`) and nothing else.
    assert_markers(rel);
    // The safe look-alikes: binding helpers, chains, the recursive helper
    // that binds, the name collision, lookups whose callers all check.
    assert_clean("cross-function/pass");
}

/// The tenancy tree inferred with no config: child tables (by their
/// parent keys, through joins to a bound parent), tenant keys of any name,
/// a look-alike key, a nullable tenant key with a user owner, a link
/// table; `CASES.md` lists each case.
#[test]
fn tenancy_tree_with_no_config() {
    assert_markers("tenancy/fail");
    assert_clean("tenancy/pass");
}

/// A caller of a lookup helper that names no table or ORM call is found
/// even though the prefilter alone would skip its file.
#[test]
fn lookup_callers_in_prefilter_skipped_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let write = |rel: &str, text: &str| {
        let p = d.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    };
    write(
        "src/schema.rs",
        "diesel::table! { folders (uuid) { uuid -> Text, tenant_id -> Text, name -> Text, } }\n",
    );
    write(
        "src/folder.rs",
        "use crate::schema::folders;\n\
         #[diesel(table_name = folders)]\npub struct Folder { pub uuid: String, pub tenant_id: String, pub name: String }\n\
         impl Folder {\n    pub async fn by_uuid(uuid: &str, conn: &mut DbConn) -> Option<Self> {\n        \
         folders::table.filter(folders::uuid.eq(uuid)).first::<Self>(conn).await.ok()\n    }\n}\n",
    );
    write(
        "src/checked.rs",
        "pub async fn get(user: User, id: String, mut conn: DbConn) -> Result<String, E> {\n    \
         let Some(f) = Folder::by_uuid(&id, &mut conn).await else { return Err(E) };\n    \
         if f.tenant_id != user.tenant_id {\n        return Err(E);\n    }\n    Ok(f.name)\n}\n",
    );
    write(
        "src/unchecked.rs",
        "pub async fn rename(id: String, mut conn: DbConn) -> Result<String, E> {\n    \
         let f = Folder::by_uuid(&id, &mut conn).await.ok_or(E)?;\n    Ok(f.name)\n}\n",
    );
    for no_prefilter in [false, true] {
        let report = tenant_lint::engine::check(&tenant_lint::engine::CheckOptions {
            paths: vec![d.to_path_buf()],
            no_prefilter,
            ..Default::default()
        })
        .expect("check");
        assert_eq!(
            found(&report),
            [(
                "src/unchecked.rs".to_string(),
                2,
                "unscoped-query".to_string()
            )],
            "no_prefilter = {no_prefilter}"
        );
    }
}

/// Every `CASES.md` states its trees' marker counts, computed here from the
/// markers: "`fail/` 26 markers (25 `unscoped-query`, 1 in `crates/`)"
/// checks the total, the count of a rule and the count under a folder;
/// "`pass/` 0" a tree without markers. And each marker of a failing tree
/// is listed by `file:line`, so the case tables cannot lose one either.
#[test]
fn cases_md_states_the_marker_counts() {
    let mut docs = 0;
    for entry in std::fs::read_dir(fixture("")).expect("fixtures").flatten() {
        let dir = entry.path();
        let Ok(md) = std::fs::read_to_string(dir.join("CASES.md")) else {
            continue;
        };
        docs += 1;
        let name = entry.file_name().to_string_lossy().into_owned();
        let stated = stated_counts(&md);
        let trees: Vec<&str> = stated.iter().map(|s| s.tree.as_str()).collect();
        assert!(
            trees.contains(&"fail/") && trees.contains(&"pass/"),
            "{name}/CASES.md states no count for fail/ and pass/: {trees:?}"
        );
        for s in &stated {
            let root = if dir.join(&s.tree).is_dir() {
                dir.join(&s.tree)
            } else {
                fixture(&s.tree)
            };
            let marks = markers(&root);
            let actual = marks
                .iter()
                .filter(|(file, _, rule)| match &s.part {
                    None => true,
                    Some(Part::Rule(r)) => rule == r,
                    Some(Part::Under(d)) => file.starts_with(d.as_str()),
                })
                .count();
            assert_eq!(
                s.count, actual,
                "{name}/CASES.md: `{}` {:?} says {}, the markers say {actual}",
                s.tree, s.part, s.count
            );
            if s.tree == "pass/" || s.part.is_some() {
                continue;
            }
            let flat = md.replace('\n', " ");
            let of_this_doc =
                |rule: &str| tenant_lint::rules::meta(&name).is_none() || rule == name;
            for (file, line, rule) in marks.iter().filter(|m| of_this_doc(&m.2)) {
                let listed = [
                    format!("`{file}:{line}`"),
                    format!("`{}{file}:{line}`", s.tree),
                    format!("`../{}{file}:{line}`", s.tree),
                ]
                .iter()
                .any(|l| flat.contains(l.as_str()));
                assert!(
                    listed,
                    "{name}/CASES.md does not list the {rule} marker at {}{file}:{line}",
                    s.tree
                );
            }
        }
    }
    assert!(docs >= 5, "only {docs} CASES.md files");
}

/// What a count in a `CASES.md` is about.
#[derive(Debug)]
enum Part {
    /// Markers of this rule.
    Rule(String),
    /// Markers in files under this folder of the tree.
    Under(String),
}

/// One count a `CASES.md` states.
#[derive(Debug)]
struct Stated {
    tree: String,
    part: Option<Part>,
    count: usize,
}

/// The counts stated as "`TREE/` N", "`TREE/` N markers (N `rule`, N in
/// `folder/`, ..)". Anything else in those parentheses is an error, so no
/// count goes unchecked.
fn stated_counts(md: &str) -> Vec<Stated> {
    let text = md.split_whitespace().collect::<Vec<_>>().join(" ");
    let number = |s: &str| -> Option<(usize, usize)> {
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        s[..digits].parse().ok().map(|n| (n, digits))
    };
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("/` ").map(|i| from + i) {
        from = i + 3;
        let Some(open) = text[..i].rfind('`') else {
            continue;
        };
        let tree = &text[open + 1..=i];
        let Some((count, len)) = number(&text[from..]) else {
            continue;
        };
        if tree.contains(' ') || text[..open].ends_with("in ") {
            continue;
        }
        out.push(Stated {
            tree: tree.to_string(),
            part: None,
            count,
        });
        let rest = &text[from + len..];
        let rest = rest
            .strip_prefix(" markers (")
            .or_else(|| rest.strip_prefix(" marker ("));
        let Some(inner) = rest.and_then(|r| r.split_once(')')).map(|(inner, _)| inner) else {
            continue;
        };
        for item in inner.split(", ") {
            let (n, len) = number(item).unwrap_or_else(|| panic!("not a count: {item:?}"));
            let what = item[len..].trim();
            let quoted = |s: &str| {
                s.strip_prefix('`')
                    .and_then(|s| s.strip_suffix('`'))
                    .map(String::from)
            };
            let part = match what.strip_prefix("in ") {
                Some(d) => {
                    Part::Under(quoted(d).unwrap_or_else(|| panic!("not a folder: {item:?}")))
                }
                None => Part::Rule(quoted(what).unwrap_or_else(|| panic!("not a rule: {item:?}"))),
            };
            out.push(Stated {
                tree: tree.to_string(),
                part: Some(part),
                count: n,
            });
        }
    }
    out
}
