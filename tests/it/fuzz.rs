//! Bounded property tests (run with every `cargo test`):
//! - mutated and arbitrary text given to the SQL analysis and the config
//!   loader never makes them panic, and every range they report lies
//!   inside the text;
//! - generated SeaORM, Diesel and sqlx workspaces (valid Rust, laid out
//!   with CRLF, tabs, a BOM or non-ASCII text) give exactly the findings
//!   the generator wrote, each pointing at the text it names;
//! - the token check and the byte gate agree with the tokeniser and the
//!   token scan on mutated fragments, token soup and every fixture file.
//!
//! Arbitrary bytes through the whole Rust analysis are cargo-fuzz's job
//! (`fuzz/`). Longer runs: `PROPTEST_CASES=20000 cargo test --test it fuzz`.

use crate::corpus::Style;
use crate::support::fixture;
use proptest::prelude::*;
use tenant_lint::config::Config;
use tenant_lint::model::TenantModel;
use tenant_lint::parse;

/// `PROPTEST_CASES` overrides the bounded default for longer runs.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Tables;

impl tenant_lint::sql::TableInfo for Tables {
    fn is_tenant(&self, t: &str) -> bool {
        matches!(t, "documents" | "projects")
    }
    fn is_tenant_column(&self, _t: &str, c: &str) -> bool {
        c == "org_id"
    }
    fn has_column(&self, t: &str, c: &str) -> Option<bool> {
        self.is_tenant(t)
            .then_some(matches!(c, "id" | "org_id" | "project_id" | "title"))
    }
    fn tenant_column(&self, _t: &str) -> Option<String> {
        Some("org_id".into())
    }
}

const SQL: &[&str] = &[
    "SELECT d.id FROM documents d JOIN projects p ON p.id = d.project_id WHERE p.org_id = $1",
    "WITH x AS (SELECT * FROM documents WHERE org_id = $1) SELECT * FROM x UNION SELECT * FROM projects",
    "UPDATE documents SET title = $2 FROM projects p WHERE documents.id = $1 OR p.org_id = $3",
    "INSERT INTO documents (id, title) SELECT id, title FROM documents WHERE id IN (SELECT id FROM projects)",
    "DELETE FROM documents USING projects WHERE NOT (documents.org_id <> $1); SET search_path TO x",
    "CREATE TABLE t (id int PRIMARY KEY, org_id uuid); CREATE INDEX i ON t (id, org_id) WHERE id > 0; ALTER TABLE t ENABLE ROW LEVEL SECURITY",
];

/// A source text with a few characters deleted, replaced or inserted.
fn mutated(seeds: &'static [&'static str]) -> impl Strategy<Value = String> {
    (
        0..seeds.len(),
        proptest::collection::vec((any::<u16>(), 0u8..3, any::<char>()), 0..8),
    )
        .prop_map(move |(i, edits)| {
            let mut chars: Vec<char> = seeds[i].chars().collect();
            for (at, op, c) in edits {
                if chars.is_empty() {
                    chars.push(c);
                    continue;
                }
                let at = at as usize % chars.len();
                match op {
                    0 => {
                        chars.remove(at);
                    }
                    1 => chars[at] = c,
                    _ => chars.insert(at, c),
                }
            }
            chars.into_iter().collect()
        })
}

fn check_sql(sql: &str) {
    let a = tenant_lint::sql::analyze(sql, &Tables);
    for f in &a.findings {
        assert!(
            sql.get(f.range.clone()).is_some(),
            "range {:?} outside {sql:?}",
            f.range
        );
    }
    for r in &a.session_search_path {
        assert!(sql.get(r.clone()).is_some(), "range {r:?} outside {sql:?}");
    }
    let d = tenant_lint::sql::ddl(sql);
    if let Some((_, r)) = &d.parse_error {
        assert!(r.end <= sql.len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn sql_analysis_never_panics(sql in mutated(SQL)) {
        check_sql(&sql);
    }

    #[test]
    fn sql_analysis_on_arbitrary_text(sql in "\\PC{0,200}") {
        check_sql(&sql);
    }

    #[test]
    fn config_loader_never_panics(text in mutated(&[
        "[tenant]\ncolumns = [\"org_id\"]\nscope-methods = [\"for_org\"]\n[superuser]\ncalls = [\"AdminDb::*\"]\nallowed-paths = [\"src/admin/**\"]\n[rules]\nmissing-rls = \"warn\"\n[files]\nexclude = [\"gen/**\"]\ninclude-tests = true\n[rls]\nrequire-force = true\n",
    ])) {
        let known = tenant_lint::rules::known_ids();
        if let Err(e) = Config::from_str(&text, std::path::Path::new("tenant-lint.toml"), &known) {
            if let Some(span) = &e.span {
                prop_assert!(span.end <= text.len(), "{e:?}");
            }
            prop_assert!(!e.message.is_empty());
        }
    }
}

prop_compose! {
    /// A generated workspace in one of the layouts positions must survive.
    fn workspace()(seed in any::<u64>(), crlf in any::<bool>(), tabs in any::<bool>(), bom in any::<bool>(), non_ascii in any::<bool>()) -> (u64, Style) {
        (seed, Style { crlf, tabs, bom, non_ascii })
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), failure_persistence: None, ..ProptestConfig::default() })]

    /// Generated SeaORM, Diesel and sqlx code, with CRLF, tabs, a BOM or
    /// non-ASCII text before the query: every file is analysed, the
    /// findings are exactly the leaks the generator wrote (file, line,
    /// rule), and each points inside its file at the text it names (the
    /// executing method, the table in the SQL).
    #[test]
    fn findings_point_at_what_they_name((seed, style) in workspace()) {
        let corpus = crate::corpus::generate(seed, 0, style);
        let dir = tempfile::tempdir().expect("tempdir");
        corpus.write(dir.path());
        let report = tenant_lint::engine::check(&tenant_lint::engine::CheckOptions {
            paths: vec![dir.path().to_path_buf()],
            ..Default::default()
        })
        .expect("check");
        prop_assert_eq!(report.stats.failed, 0, "{:?}", report.findings);
        prop_assert_eq!(crate::support::found(&report), corpus.expected());
        for (f, leak) in report.findings.iter().zip(&corpus.leaks) {
            let text = &corpus.files.iter().find(|(p, _)| *p == leak.file).expect("file").1;
            prop_assert_eq!(spanned(text, f.span), Some(leak.token.as_str()), "{}: {:?}", leak.file, f);
            prop_assert!(f.primary_label.contains(&format!("`{}`", leak.token)) || f.message.contains(&format!("`{}`", leak.token)), "{:?}", f);
        }
    }
}

/// The text a one-line span covers (lines 1-based, columns 0-based in
/// characters), or `None` when the span is not inside `text`.
fn spanned(text: &str, span: tenant_lint::diagnostic::Span) -> Option<&str> {
    if span.start.line != span.end.line || span.start.col > span.end.col {
        return None;
    }
    let line = text
        .split('\n')
        .nth(span.start.line.checked_sub(1)? as usize)?;
    let line = line.trim_end_matches('\r').trim_start_matches('\u{feff}');
    let at = |col: u32| -> Option<usize> {
        let col = col as usize;
        line.char_indices()
            .map(|(i, _)| i)
            .chain([line.len()])
            .nth(col)
    };
    line.get(at(span.start.col)?..at(span.end.col)?)
}

/// The tenant model of the unscoped-query and unscoped-sql fixtures, whose
/// tables and entities give the byte gate its needles.
fn model() -> &'static TenantModel {
    static M: std::sync::OnceLock<TenantModel> = std::sync::OnceLock::new();
    M.get_or_init(|| {
        let mut m = tenant_lint::engine::schema(&[fixture("unscoped-query/fail")], None)
            .expect("schema")
            .0;
        let sql = tenant_lint::engine::schema(&[fixture("unscoped-sql/fail")], None)
            .expect("schema")
            .0;
        m.tables.extend(sql.tables);
        m
    })
}

/// Token-shaped fragments, so mutations land on literal and comment edges.
const TOKEN_SEEDS: &[&str] = &[
    "let s = r#\"a \"b\" c\"#; let t = b'\\''; let c = '\\u{1F600}'; /* a /* b */ c */",
    "fn f<'a>(x: &'a str) -> &'a str { 'l: loop { break 'l x; } } // done",
    "let x = 1.5e-3f64 + 0x1F_u8 as f64; let r#type = c\"z\"; let y = t.0.1; let z = br##\"#\"##;",
    "macro_rules! m { ($($t:tt)*) => { $($t)* }; } m!(@ # $ ~ ? ;);",
    "/// doc\n//! inner\n/** block */ struct S { a: [u8; 4] } let s = \"x\\\"y\\n\";",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(512), failure_persistence: None, ..ProptestConfig::default() })]

    /// The cheap token check for prefilter-skipped files never rejects
    /// what proc-macro2 can tokenise: a false rejection would report a
    /// good file as not analysed.
    #[test]
    fn token_check_accepts_what_proc_macro2_accepts(src in mutated(TOKEN_SEEDS)) {
        if src.parse::<proc_macro2::TokenStream>().is_ok() {
            prop_assert!(parse::lex_check(&src).is_ok(), "{:?}: {:?}", src, parse::lex_check(&src).err());
        }
    }
}

/// Every Rust file of every fixture passes the token check.
#[test]
fn token_check_accepts_every_fixture_file() {
    let files = fixture_rust_files();
    for (path, text) in &files {
        if let Err(err) = parse::lex_check(text) {
            panic!("{}: {}", path.display(), err.message);
        }
    }
    let n = files.len();
    assert!(n > 100, "only {n} fixture files");
}

/// Needles in the shapes the byte gate reads, next to comments, raw
/// identifiers, line breaks and non-ASCII blanks, so mutations make and
/// break them.
const GATE_SEEDS: &[&str] = &[
    "Entity::find_by_id(1).one(db); Entity :: find() // x\n; documents::table.load(c)",
    "r#query!(\"SELECT 1\"); sqlx::query_as::<_, T>(q); sql_query\u{2028}(q); x.r#execute(sql)",
    "client.execute(/* sql */ SQL, &[]); T::table(); Comment::belonging_to(&p); QueryBuilder::new(s)",
    "Entity::\n// all\nfind(); documents /* t */ ::dsl::*; job.execute(); helper(q); a::b::<T>(x)",
    "let r = a / (b + c); /* (x) */ f(x); items.iter().find(|x| x.ok); fn table() {} use a::load;",
    "\u{feff}#!/bin/x.\nsql_query\u{a0}(q); documents::b'x'; r#1abc(x); Entity::\u{3000}find()",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(1024), failure_persistence: None, ..ProptestConfig::default() })]

    /// The byte gate that spares most files the token scan lets through
    /// every text the scan finds a needle in, and the names it gives a
    /// text it stops include every name the scan gives (the helper rescue
    /// relies on them).
    #[test]
    fn byte_gate_never_stops_a_needle(src in mutated(GATE_SEEDS)) {
        prop_assert_eq!(gate_disagrees(&src), None, "{:?}", src);
    }
}

/// How the byte gate contradicts the token scan on `text`, if it does: it
/// stopped a text with a needle, or lost a name the text calls. (A text
/// that is not Rust tokens has nothing to contradict.)
fn gate_disagrees(text: &str) -> Option<&'static str> {
    let needles = gate_needles();
    let words = needles.without_needle(text)?;
    let scanned = needles.scan(text, &mut Vec::new()).ok()?;
    if !scanned.hits.is_empty() {
        return Some("stopped a needle");
    }
    let lost = scanned.words.hashes().iter().any(|h| !words.any_of(&[*h]));
    lost.then_some("lost a called name")
}

/// Every Rust file of every fixture: (path, text).
fn fixture_rust_files() -> Vec<(std::path::PathBuf, String)> {
    ignore::WalkBuilder::new(fixture(""))
        .standard_filters(false)
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| {
            let text = std::fs::read_to_string(e.path()).expect("fixture is UTF-8");
            (e.into_path(), text)
        })
        .collect()
}

/// The query needles of the fixtures' model, with a scope method and
/// superuser calls configured.
fn gate_needles() -> &'static tenant_lint::incremental::prefilter::QueryNeedles {
    static N: std::sync::OnceLock<tenant_lint::incremental::prefilter::QueryNeedles> =
        std::sync::OnceLock::new();
    N.get_or_init(|| {
        let mut model = model().clone();
        model
            .table_modules
            .insert("documents".into(), "documents".into());
        let mut config = Config::default();
        config.tenant.scope_methods = vec!["auth::for_org".into()];
        config.superuser.calls = vec!["admin::*".into(), "ops::cross_org".into()];
        tenant_lint::incremental::prefilter::QueryNeedles::new(&model, &config)
    })
}

/// The byte gate on every Rust file of every fixture agrees with the
/// token scan (see `byte_gate_never_stops_a_needle`).
#[test]
fn byte_gate_agrees_on_every_fixture_file() {
    let files = fixture_rust_files();
    let mut stopped = 0;
    for (path, text) in &files {
        assert_eq!(gate_disagrees(text), None, "{}", path.display());
        if gate_needles().without_needle(text).is_some() {
            stopped += 1;
            gate_needles()
                .scan(text, &mut Vec::new())
                .expect("a fixture is Rust tokens");
        }
    }
    let n = files.len();
    assert!(n > 100 && stopped > 10, "{stopped} of {n} fixture files");
}

/// Pieces of token soup for the byte gate: needle words (plain and raw),
/// names, punctuation and literals (with their prefixes), and every kind
/// of blank and comment the lexer skips, Unicode ones and a BOM included.
const SOUP_WORDS: &[&str] = &[
    "find",
    "find_by_id",
    "documents",
    "table",
    "org_id",
    "type_",
    "dsl",
    "list",
    "admin",
    "cross_org",
    "for_org",
    "QueryBuilder",
    "belonging_to",
    "query",
    "query_as",
    "sql_query",
    "execute",
    "foo",
    "Entity",
    "T",
    "r#find",
    "r#table",
    "r#query",
    "r#execute",
    "r#documents",
    "r#",
    "r#1a",
    "é",
    "xé",
    "find_related",
    "r",
    "b",
    "c",
    "br",
    "_",
];
const SOUP_PUNCT: &[&str] = &[
    ":", "::", ":::", "(", ")", "()", "!", ".", "..", "<", ">", "{", "}", "*", ";", ",", "#", "'a",
    "'x'", "b'x'", "\"s\"", "r\"s\"", "r#\"s\"#", "b\"s\"", "c\"s\"", "1", "1u8", "1.5", "1.", "/",
];
const SOUP_BLANKS: &[&str] = &[
    "", " ", "\n", "\t", "\r\n", "\u{85}", "\u{200e}", "\u{2028}", "\u{a0}", "\u{3000}", "/* c */",
    "/*/**/*/", "// c\n", "/// d\n", "/** d */", "//\n", "\u{feff}",
];
const SOUP_STARTS: &[&str] = &[
    "",
    "",
    "\u{feff}",
    "#!/bin/x\n",
    "#!/bin/x.\n",
    "\u{feff}#!/a\n",
];

fn soup() -> impl Strategy<Value = String> {
    (
        0..SOUP_STARTS.len(),
        proptest::collection::vec((0u8..3, any::<u16>(), any::<u16>()), 1..14),
    )
        .prop_map(|(start, parts)| {
            let mut t = SOUP_STARTS[start].to_string();
            for (kind, a, b) in parts {
                let pick = |v: &[&'static str], i: u16| v[i as usize % v.len()];
                t.push_str(match kind {
                    0 => pick(SOUP_WORDS, a),
                    1 => pick(SOUP_PUNCT, a),
                    _ => pick(SOUP_BLANKS, a),
                });
                t.push_str(pick(SOUP_BLANKS, b));
            }
            t
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(4096), failure_persistence: None, ..ProptestConfig::default() })]

    /// `byte_gate_never_stops_a_needle` on token soup.
    #[test]
    fn byte_gate_never_stops_a_needle_in_token_soup(src in soup()) {
        prop_assert_eq!(gate_disagrees(&src), None, "{:?}", src);
    }
}
