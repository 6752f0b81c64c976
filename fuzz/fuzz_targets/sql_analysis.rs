//! Arbitrary text as SQL: the tenant analysis and the DDL reader must never
//! panic, and every range they report lies inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

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

fuzz_target!(|sql: &str| {
    let a = tenant_lint::sql::analyze(sql, &Tables);
    for f in &a.findings {
        assert!(sql.get(f.range.clone()).is_some(), "{:?}", f.range);
    }
    for r in &a.session_search_path {
        assert!(sql.get(r.clone()).is_some(), "{r:?}");
    }
    if let Some((_, r)) = &tenant_lint::sql::ddl(sql).parse_error {
        assert!(r.end <= sql.len());
    }
});
