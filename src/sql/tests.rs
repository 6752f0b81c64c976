//! Tests of `analyze` against a small schema.

use super::*;

/// documents(id, org_id, project_id, title, is_public), projects(id, org_id, name),
/// tags(id, org_id, name), document_tags(document_id, tag_id), plans(id, name),
/// users(id, email), memberships(uuid, user_id, org_id).
struct Schema;

const TABLES: &[(&str, &[&str])] = &[
    (
        "documents",
        &["id", "org_id", "project_id", "title", "is_public"],
    ),
    ("projects", &["id", "org_id", "name"]),
    ("tags", &["id", "org_id", "name"]),
    ("document_tags", &["document_id", "tag_id"]),
    ("plans", &["id", "name"]),
    ("users", &["id", "email"]),
    ("members", &["uuid", "user_id", "org_id"]),
];

impl TableInfo for Schema {
    fn is_tenant(&self, table: &str) -> bool {
        self.has_column(table, "org_id") == Some(true)
    }
    fn is_tenant_column(&self, table: &str, column: &str) -> bool {
        column == "org_id" && self.is_tenant(table)
    }
    fn has_column(&self, table: &str, column: &str) -> Option<bool> {
        TABLES
            .iter()
            .find(|(t, _)| *t == table)
            .map(|(_, cols)| cols.contains(&column))
    }
    fn tenant_column(&self, table: &str) -> Option<String> {
        self.is_tenant(table).then(|| "org_id".to_string())
    }
}

fn run(sql: &str) -> Analysis {
    analyze(sql, &Schema)
}

/// (table, text at range, kind-is-unbound) of each finding.
fn found(sql: &str) -> Vec<(String, String)> {
    let a = run(sql);
    assert!(
        !a.fallback,
        "unexpected fallback for {sql}: {:?}",
        a.parse_error
    );
    a.findings
        .iter()
        .map(|f| (f.table.clone(), sql[f.range.clone()].to_string()))
        .collect()
}

fn unbound_tables(sql: &str) -> Vec<String> {
    found(sql).into_iter().map(|(t, _)| t).collect()
}

fn assert_bound(sql: &str) {
    let a = run(sql);
    assert!(
        !a.fallback,
        "unexpected fallback for {sql}: {:?}",
        a.parse_error
    );
    assert!(
        a.findings.is_empty(),
        "expected no findings for {sql}, got {:#?}",
        a.findings
    );
}

fn assert_unbound(sql: &str, tables: &[&str]) {
    assert_eq!(
        unbound_tables(sql),
        tables,
        "for {sql}: {:#?}",
        run(sql).findings
    );
}

fn notes(sql: &str) -> Vec<String> {
    run(sql)
        .findings
        .into_iter()
        .flat_map(|f| f.notes)
        .collect()
}

// ------------------------------------------------------------------ bound forms

#[test]
fn bound_simple_forms() {
    assert_bound("SELECT * FROM documents WHERE org_id = $1");
    assert_bound("SELECT * FROM documents d WHERE d.org_id = $1");
    assert_bound("SELECT * FROM documents AS d WHERE $1 = d.org_id");
    assert_bound("SELECT * FROM public.documents WHERE documents.org_id = $1");
    assert_bound("SELECT * FROM public.documents d WHERE d.org_id = $1::uuid");
    assert_bound("SELECT * FROM \"Documents\" WHERE \"org_id\" = $1");
    assert_bound("SELECT * FROM documents WHERE org_id = ANY($1)");
    assert_bound("SELECT * FROM documents WHERE org_id IN ($1, $2)");
    assert_bound("SELECT * FROM documents WHERE org_id = 'acme'");
    assert_bound("SELECT * FROM documents WHERE org_id = current_setting('app.org')::uuid");
    assert_bound(
        "SELECT * FROM documents WHERE org_id = (SELECT u.id FROM users u WHERE u.email = $1)",
    );
    assert_bound("SELECT * FROM documents WHERE org_id IS NOT DISTINCT FROM $1");
    assert_bound("SELECT * FROM documents WHERE id = $2 AND (org_id = $1)");
    assert_bound("SELECT * FROM documents WHERE (org_id, id) = ($1, $2)");
    assert_bound("SELECT * FROM documents WHERE org_id = :org AND id = :id");
    assert_bound("SELECT * FROM documents WHERE org_id = ? AND id = ?");
}

#[test]
fn bound_through_joins() {
    assert_bound(
        "SELECT d.* FROM documents d JOIN projects p ON p.id = d.project_id WHERE p.org_id = $1",
    );
    assert_bound(
        "SELECT d.* FROM documents d JOIN projects p ON p.id = d.project_id WHERE d.org_id = $1",
    );
    assert_bound(
        "SELECT * FROM documents d, projects p WHERE d.project_id = p.id AND d.org_id = $1",
    );
    assert_bound("SELECT * FROM documents d JOIN tags t USING (org_id) WHERE t.org_id = $1");
    assert_bound(
        "SELECT * FROM documents d LEFT JOIN projects p ON p.id = d.project_id WHERE d.org_id = $1",
    );
    // non-tenant tables need no binding
    assert_bound("SELECT * FROM plans");
    assert_bound("SELECT * FROM documents d JOIN users u ON u.id = $2 WHERE d.org_id = $1");
}

#[test]
fn bound_through_subqueries() {
    assert_bound(
        "SELECT * FROM documents d WHERE EXISTS (SELECT 1 FROM projects p WHERE p.id = d.project_id AND p.org_id = $1)",
    );
    assert_bound(
        "SELECT * FROM documents d WHERE d.org_id = $1 AND EXISTS (SELECT 1 FROM projects p WHERE p.id = d.project_id)",
    );
    assert_bound(
        "SELECT * FROM documents d WHERE d.id IN (SELECT x.id FROM documents x WHERE x.org_id = $1)",
    );
    assert_bound(
        "SELECT d.title, (SELECT count(*) FROM tags t WHERE t.org_id = d.org_id) FROM documents d WHERE d.org_id = $1",
    );
    assert_bound("SELECT * FROM documents WHERE org_id IN (SELECT m.org_id FROM members m WHERE m.org_id = $1)");
}

#[test]
fn bound_ctes_and_derived() {
    assert_bound("WITH mine AS (SELECT * FROM documents WHERE org_id = $1) SELECT * FROM mine");
    assert_bound(
        "WITH mine AS (SELECT id, project_id FROM documents WHERE org_id = $1) \
         SELECT p.name FROM mine JOIN projects p ON p.id = mine.project_id",
    );
    assert_bound("SELECT * FROM (SELECT * FROM documents WHERE org_id = $1) sub WHERE sub.id = $2");
    assert_bound(
        "WITH RECURSIVE tree AS (SELECT id FROM projects WHERE org_id = $1 \
         UNION ALL SELECT p.id FROM projects p JOIN tree t ON t.id = p.id WHERE p.org_id = $1) SELECT * FROM tree",
    );
    assert_bound(
        "SELECT * FROM documents d, LATERAL (SELECT * FROM tags t WHERE t.org_id = d.org_id) x WHERE d.org_id = $1",
    );
}

#[test]
fn bound_dml() {
    assert_bound("UPDATE documents SET title = $2 WHERE id = $1 AND org_id = $3");
    assert_bound("UPDATE documents d SET title = p.name FROM projects p WHERE p.id = d.project_id AND d.org_id = $1");
    assert_bound("DELETE FROM documents WHERE id = $1 AND org_id = $2 RETURNING *");
    assert_bound(
        "DELETE FROM documents d USING projects p WHERE p.id = d.project_id AND p.org_id = $1",
    );
    assert_bound("INSERT INTO documents (id, org_id, title) VALUES ($1, $2, $3)");
    assert_bound(
        "INSERT INTO documents (id, org_id, title) VALUES ($1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title",
    );
    assert_bound("INSERT INTO plans VALUES ($1, $2)");
    assert_bound(
        "INSERT INTO tags (id, org_id, name) SELECT gen_random_uuid(), org_id, name FROM tags WHERE org_id = $1",
    );
}

#[test]
fn sqlx_annotations_parse() {
    assert_bound(
        r#"SELECT id AS "id!", org_id AS "org_id: Uuid", title AS "title?" FROM documents WHERE org_id = $1"#,
    );
}

// ------------------------------------------------------------------ unbound forms

#[test]
fn unbound_simple_forms() {
    assert_unbound("SELECT * FROM documents", &["documents"]);
    assert_unbound("SELECT * FROM documents WHERE id = $1", &["documents"]);
    assert_unbound(
        "SELECT * FROM documents WHERE org_id = $1 OR is_public",
        &["documents"],
    );
    assert_unbound("SELECT * FROM documents WHERE org_id <> $1", &["documents"]);
    assert_unbound("SELECT * FROM documents WHERE org_id != $1", &["documents"]);
    assert_unbound(
        "SELECT * FROM documents WHERE org_id IS DISTINCT FROM $1",
        &["documents"],
    );
    assert_unbound(
        "SELECT * FROM documents WHERE NOT (org_id = $1)",
        &["documents"],
    );
    assert_unbound(
        "SELECT * FROM documents WHERE org_id NOT IN ($1)",
        &["documents"],
    );
    assert_unbound("SELECT * FROM documents WHERE org_id > $1", &["documents"]);
    assert_unbound(
        "SELECT * FROM documents d WHERE d.org_id = d.org_id",
        &["documents"],
    );
    assert_unbound(
        "SELECT * FROM documents d WHERE d.org_id = lower(d.title)",
        &["documents"],
    );
}

#[test]
fn unbound_joins() {
    // through a link table without a tenant column
    let sql = "SELECT d.* FROM documents d JOIN document_tags dt ON dt.document_id = d.id \
               JOIN tags t ON t.id = dt.tag_id WHERE t.org_id = $1";
    assert_unbound(sql, &["documents"]);
    assert!(notes(sql)
        .contains(&"joined through `document_tags`, which has no tenant column".to_string()));
    // a free value in ON binds nothing
    let sql = "SELECT * FROM documents d JOIN members m ON m.uuid = $2 WHERE d.org_id = $1";
    assert_unbound(sql, &["members"]);
    assert_eq!(
        notes(sql),
        vec!["filtered by `uuid` only, not by `org_id`".to_string()]
    );
    // the second table of a join is not bound
    assert_unbound(
        "SELECT * FROM documents d JOIN tags t ON t.name = $2 WHERE d.org_id = $1",
        &["tags"],
    );
    // LEFT JOIN: the ON condition does not filter the left side
    let sql =
        "SELECT * FROM documents d LEFT JOIN projects p ON p.id = d.project_id AND p.org_id = $1";
    assert_unbound(sql, &["documents"]);
    assert!(notes(sql)[0].contains("outer join"), "{:?}", notes(sql));
    // cross join without conditions
    assert_unbound(
        "SELECT * FROM documents d CROSS JOIN projects p WHERE d.org_id = $1",
        &["projects"],
    );
}

#[test]
fn unbound_subqueries() {
    assert_unbound(
        "SELECT * FROM (SELECT * FROM documents) sub WHERE sub.org_id = $1",
        &["documents"],
    );
    assert_unbound(
        "SELECT * FROM documents WHERE org_id = $1 UNION SELECT * FROM documents WHERE is_public",
        &["documents"],
    );
    assert_unbound(
        "WITH all_docs AS (SELECT * FROM documents) SELECT * FROM all_docs",
        &["documents"],
    );
    assert_unbound(
        "SELECT * FROM documents d WHERE d.id IN (SELECT x.id FROM documents x WHERE x.title = $1)",
        &["documents", "documents"],
    );
    assert_unbound(
        "SELECT * FROM documents d WHERE d.is_public OR EXISTS (SELECT 1 FROM projects p WHERE p.id = d.project_id AND p.org_id = $1)",
        &["documents"],
    );
    // both disjuncts bind `d`
    assert_bound(
        "SELECT * FROM documents d WHERE d.org_id = $1 OR EXISTS (SELECT 1 FROM projects p WHERE p.id = d.project_id AND p.org_id = $1)",
    );
    assert_unbound(
        "SELECT * FROM documents d WHERE d.org_id = $1 AND EXISTS (SELECT 1 FROM tags t WHERE t.name = $2)",
        &["tags"],
    );
    assert_unbound(
        "SELECT * FROM documents d WHERE NOT EXISTS (SELECT 1 FROM projects p WHERE p.id = d.project_id AND p.org_id = $1)",
        &["documents"],
    );
    // the in-subquery selects only from a link table
    assert_unbound(
        "SELECT * FROM documents d WHERE d.id IN (SELECT document_id FROM document_tags WHERE tag_id = $1)",
        &["documents"],
    );
}

#[test]
fn unbound_dml() {
    assert_unbound(
        "UPDATE documents SET title = $2 WHERE id = $1",
        &["documents"],
    );
    assert_unbound("DELETE FROM documents WHERE id = $1", &["documents"]);
    assert_unbound("DELETE FROM documents", &["documents"]);
    assert_unbound(
        "UPDATE documents d SET title = t.name FROM tags t WHERE t.id = $2 AND d.org_id = $1",
        &["tags"],
    );
    assert_unbound(
        "DELETE FROM documents d USING tags t WHERE t.id = d.id AND t.name = $1",
        &["documents", "tags"],
    );
    let a = run("UPDATE documents SET title = $2 WHERE id = $1");
    assert_eq!(a.findings[0].statement, "update");
    assert_eq!(
        a.findings[0].notes,
        vec!["filtered by `id` only, not by `org_id`".to_string()]
    );
}

#[test]
fn insert_checks() {
    let sql = "INSERT INTO documents (id, title) VALUES ($1, $2)";
    let a = run(sql);
    assert_eq!(a.findings.len(), 1);
    let f = &a.findings[0];
    assert_eq!(
        f.kind,
        FindingKind::InsertWithoutTenant {
            column: "org_id".to_string()
        }
    );
    assert_eq!(&sql[f.range.clone()], "documents");
    assert_eq!(f.statement, "insert");
    // no column list
    let a = run("INSERT INTO documents VALUES ($1, $2, $3, $4, $5)");
    assert!(matches!(
        a.findings[0].kind,
        FindingKind::InsertWithoutTenant { .. }
    ));
    // INSERT .. SELECT with an unbound source
    let sql =
        "INSERT INTO tags (id, org_id, name) SELECT id, org_id, title FROM documents WHERE id = $1";
    let a = run(sql);
    assert_eq!(a.findings.len(), 1);
    assert_eq!(a.findings[0].kind, FindingKind::Unbound);
    assert_eq!(a.findings[0].table, "documents");
    assert_eq!(a.findings[0].statement, "insert");
    // both problems at once
    let a = run("INSERT INTO tags (id, name) SELECT id, title FROM documents");
    assert_eq!(a.findings.len(), 2);
}

#[test]
fn notes_explain() {
    assert_eq!(
        notes("SELECT * FROM documents WHERE org_id = $1 OR is_public"),
        vec!["an `OR` drops the tenant condition".to_string()]
    );
    assert_eq!(
        notes("SELECT * FROM documents WHERE org_id <> $1"),
        vec!["`.. <> $1` excludes a tenant instead of selecting one".to_string()]
    );
    assert_eq!(
        notes("SELECT * FROM documents"),
        vec!["no `WHERE` clause".to_string()]
    );
}

#[test]
fn multi_statement_text() {
    let sql = "SELECT * FROM documents WHERE org_id = $1;\nSELECT * FROM projects;\nDELETE FROM tags WHERE id = $1";
    let a = run(sql);
    let got: Vec<(&str, &str, &str)> = a
        .findings
        .iter()
        .map(|f| (f.table.as_str(), &sql[f.range.clone()], f.statement))
        .collect();
    assert_eq!(
        got,
        vec![
            ("projects", "projects", "select"),
            ("tags", "tags", "delete")
        ]
    );
}

#[test]
fn ranges_are_exact() {
    let sql = "SELECT *\n  FROM   documents d\n WHERE d.id = $1";
    let (_, text) = &found(sql)[0];
    assert_eq!(text, "documents");
    let sql = "-- é ü ß\nSELECT 'ünïcødé' AS x, * FROM documents WHERE id = $1";
    let a = run(sql);
    let r = a.findings[0].range.clone();
    assert_eq!(&sql[r.clone()], "documents");
    assert_eq!(r.start, sql.find("documents").unwrap_or(0));
    let sql = "SELECT 1;\r\n/* ✓ */ SELECT * FROM public.documents WHERE id = $1";
    assert_eq!(found(sql)[0].1, "public.documents");
    let sql = "SELECT * FROM \"Documents\"";
    assert_eq!(
        found(sql),
        vec![("documents".to_string(), "\"Documents\"".to_string())]
    );
}

#[test]
fn fallback_on_unparseable_sql() {
    let sql = "SELECT * FROM documents d WHERE d.org_id = $1 LIMIT 10, 20";
    let a = run(sql);
    assert!(a.fallback);
    assert!(a.parse_error.is_some());
    assert!(a.findings.is_empty(), "{:#?}", a.findings);

    let sql = "SELECT * FROM documents d WHERE d.id = $1 LIMIT 10, 20";
    let a = run(sql);
    assert!(a.fallback);
    assert_eq!(a.findings.len(), 1);
    assert_eq!(&sql[a.findings[0].range.clone()], "documents");
    assert!(a.findings[0].notes.iter().any(|n| n.contains("token scan")));

    let sql = "SELECT * FROM documents d WHERE d.org_id = $1 OR d.is_public LIMIT 10, 20";
    assert_eq!(run(sql).findings.len(), 1);

    // the other statements of the text are still parsed
    let sql = "SELECT * FROM projects WHERE org_id = $1 LIMIT 1, 2; SELECT * FROM tags";
    let a = run(sql);
    assert!(a.fallback);
    assert_eq!(a.findings.len(), 1);
    assert_eq!(a.findings[0].table, "tags");
    assert!(a.findings[0]
        .notes
        .iter()
        .all(|n| !n.contains("token scan")));
}

#[test]
fn search_path_reported() {
    let a = run("SET search_path TO tenant_42; SELECT * FROM plans");
    assert_eq!(a.session_search_path.len(), 1);
    let a = run("SET LOCAL search_path TO tenant_42");
    assert!(a.session_search_path.is_empty());
    let sql = "SELECT set_config('search_path', $1, false)";
    let a = run(sql);
    assert_eq!(a.session_search_path, vec![7..sql.len()]);
}

#[test]
fn other_statements_are_ignored() {
    assert_bound("CREATE TABLE x (id int)");
    assert_bound("BEGIN");
    assert_bound("");
    assert_bound("   -- nothing\n");
}

#[test]
fn never_panics() {
    for s in [
        "SELECT",
        "SELECT * FROM",
        "'",
        "$$",
        "SELECT * FROM documents WHERE",
        "UPDATE",
        ";;;",
        "SELECT ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1",
        "INSERT INTO documents",
        "DELETE FROM \"",
        "é",
        "SELECT * FROM documents d JOIN",
    ] {
        let _ = run(s);
        let _ = ddl(s);
    }
}

#[test]
fn more_shapes() {
    assert_bound(
        "UPDATE documents SET title = $1 WHERE id IN (SELECT id FROM documents WHERE org_id = $2)",
    );
    assert_bound(
        "DELETE FROM documents WHERE project_id IN (SELECT id FROM projects WHERE org_id = $1)",
    );
    assert_bound(
        "SELECT * FROM documents d WHERE EXISTS (SELECT 1 FROM document_tags dt WHERE dt.document_id = d.id AND org_id = $1)",
    );
    assert_bound(
        "SELECT project_id, count(*) FROM documents WHERE org_id = $1 GROUP BY project_id HAVING count(*) > 1 ORDER BY 2 DESC LIMIT 10",
    );
    assert_bound(
        "SELECT d.id, CASE WHEN d.is_public THEN (SELECT p.name FROM projects p WHERE p.id = d.project_id) END \
         FROM documents d WHERE d.org_id = $1",
    );
    let sql = "WITH moved AS (DELETE FROM documents WHERE id = $1 RETURNING *) \
               INSERT INTO tags (id, org_id, name) SELECT id, org_id, title FROM moved";
    let a = run(sql);
    assert_eq!(a.findings.len(), 1, "{:#?}", a.findings);
    assert_eq!(a.findings[0].statement, "delete");
    // correlated subquery whose own table is unbound
    assert_unbound(
        "SELECT * FROM documents d WHERE d.org_id = $1 AND d.project_id IN (SELECT p.id FROM projects p WHERE p.name = $2)",
        &["projects"],
    );
    // a derived table that does not filter does not bind what is joined to it
    assert_unbound(
        "SELECT * FROM (SELECT id FROM plans) x JOIN projects p ON p.id = x.id",
        &["projects"],
    );
}

/// Placeholders a column of each unbound table equals on every path.
fn keyed(sql: &str) -> Vec<(String, Vec<usize>)> {
    run(sql)
        .findings
        .iter()
        .map(|f| (f.table.clone(), f.keyed_by.clone()))
        .collect()
}

#[test]
fn a_column_equal_to_a_placeholder_is_noted_for_the_caller_but_not_through_or() {
    assert_eq!(
        keyed("SELECT * FROM documents WHERE title = $2 AND id::text = $1::text"),
        [("documents".to_string(), vec![1, 2])]
    );
    // Only on one side of an OR: the key does not hold on every path.
    assert_eq!(
        keyed("SELECT * FROM documents WHERE title = $1 OR is_public"),
        [("documents".to_string(), vec![])]
    );
    // A column of another table says nothing about this one.
    assert_eq!(
        keyed("SELECT d.id FROM documents d, plans p WHERE p.name = $1"),
        [("documents".to_string(), vec![])]
    );
}

/// `Schema` with the columns in the order the migrations create them.
struct Ordered;

impl TableInfo for Ordered {
    fn is_tenant(&self, table: &str) -> bool {
        Schema.is_tenant(table)
    }
    fn is_tenant_column(&self, table: &str, column: &str) -> bool {
        Schema.is_tenant_column(table, column)
    }
    fn has_column(&self, table: &str, column: &str) -> Option<bool> {
        Schema.has_column(table, column)
    }
    fn tenant_column(&self, table: &str) -> Option<String> {
        Schema.tenant_column(table)
    }
    fn column_position(&self, table: &str, column: &str) -> Option<usize> {
        TABLES
            .iter()
            .find(|(t, _)| *t == table)?
            .1
            .iter()
            .position(|c| *c == column)
    }
}

#[test]
fn an_insert_without_a_column_list_sets_columns_by_position() {
    let inserts = |sql: &str| -> usize {
        analyze(sql, &Ordered)
            .findings
            .iter()
            .filter(|f| matches!(f.kind, FindingKind::InsertWithoutTenant { .. }))
            .count()
    };
    // `org_id` is the second column of `documents`.
    assert_eq!(
        inserts("INSERT INTO documents VALUES ($1, $2, $3, $4, $5)"),
        0
    );
    assert_eq!(inserts("INSERT INTO documents VALUES ($1, $2)"), 0);
    // A row that stops before it, in any row of several.
    assert_eq!(inserts("INSERT INTO documents VALUES ($1)"), 1);
    assert_eq!(
        inserts("INSERT INTO documents VALUES ($1, $2, $3), ($4)"),
        1
    );
    // `INSERT .. SELECT`: by the select list, unknown with `*`.
    assert_eq!(
        inserts("INSERT INTO projects SELECT id, org_id, name FROM projects WHERE org_id = $1"),
        0
    );
    assert_eq!(
        inserts("INSERT INTO projects SELECT * FROM projects WHERE org_id = $1"),
        1
    );
    // Positions unknown (no migrations): not visibly set.
    assert_eq!(
        analyze("INSERT INTO documents VALUES ($1, $2, $3, $4, $5)", &Schema)
            .findings
            .len(),
        1
    );
}

#[test]
fn an_insert_stopping_before_the_tenant_column_says_where_it_is() {
    let a = analyze("INSERT INTO documents VALUES ($1)", &Ordered);
    assert_eq!(
        a.findings[0].notes,
        ["no column list, and the values stop before `org_id` (column 2 in the order the migrations create them), or are `*`"]
    );
}

#[test]
fn a_placeholder_standing_alone_as_a_condition_is_built_at_run_time() {
    let runtime = |sql: &str| -> Vec<bool> {
        run(sql)
            .findings
            .iter()
            .map(|f| f.runtime_condition)
            .collect()
    };
    assert_eq!(runtime("SELECT id FROM documents WHERE $1"), [true]);
    assert_eq!(
        runtime("SELECT id FROM documents WHERE title = $1 AND ($2) ORDER BY id"),
        [true]
    );
    // A placeholder compared with something is an ordinary condition.
    assert_eq!(
        runtime("SELECT id FROM documents WHERE title = $1"),
        [false]
    );
    // A run-time part next to a visible tenant condition: bound, no finding.
    assert_eq!(
        runtime("SELECT id FROM documents WHERE org_id = $1 AND $2"),
        Vec::<bool>::new()
    );
}

#[test]
fn clickhouse_conversions_are_casts() {
    // `toUUID(..)` compares the column it converts, as `::uuid` does.
    assert_bound(
        "SELECT d.title FROM documents d JOIN projects p ON toUUID(d.project_id) = p.id \
         WHERE p.org_id = $1 AND d.org_id = p.org_id",
    );
    assert_bound("SELECT title FROM documents WHERE toUUIDOrNull(org_id) = $1");
    // Any other function of the column is no equality of it.
    assert_unbound(
        "SELECT title FROM documents WHERE lower(org_id) = $1",
        &["documents"],
    );
}

#[test]
fn clickhouse_syntax_with_question_marks_parses() {
    // `IN ?` (an array bound whole) and `LIMIT n BY` are ClickHouse's: read
    // with its dialect, not by the token scan.
    for sql in [
        "SELECT title FROM documents WHERE org_id = ? AND id IN ?",
        "SELECT title FROM documents WHERE org_id = ? ORDER BY title LIMIT 1 BY project_id",
    ] {
        let a = run(sql);
        assert!(!a.fallback, "{sql}: {:?}", a.parse_error);
        assert!(a.findings.is_empty(), "{sql}: {:?}", a.findings);
    }
}

#[test]
fn positional_question_marks_are_numbered_by_their_place() {
    // MySQL, SQLite and ClickHouse: the n-th `?` is bound n-th; ClickHouse's
    // `?fields` is none.
    assert_eq!(
        keyed("SELECT * FROM documents WHERE title = ? AND id = ?"),
        [("documents".to_string(), vec![1, 2])]
    );
    assert_eq!(
        keyed("SELECT ?fields FROM documents WHERE is_public = 1 AND id = ?"),
        [("documents".to_string(), vec![1])]
    );
}
