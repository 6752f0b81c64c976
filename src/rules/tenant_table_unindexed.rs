//! `tenant-table-unindexed`: a tenant table whose final schema has no
//! index, primary key or unique constraint led by the tenant column, so
//! every tenant-scoped query scans other tenants' rows.

use crate::config::Level;
use crate::diagnostic::Finding;
use crate::rules::{Context, Fact, Facts, RuleMeta};

/// Rule id.
pub const ID: &str = "tenant-table-unindexed";

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default: Level::Warn,
    summary: "tenant table with no index / PK / unique constraint led by the tenant column",
    doc: include_str!("../../rules/tenant-table-unindexed.md"),
    security: None,
    needs: &[Fact::Schema],
    reach: false,
};

/// Findings over the migrated schema.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let Facts::Project(_) = &cx.facts else {
        return Vec::new();
    };
    let model = cx.model;
    let mut out = Vec::new();
    // A ClickHouse table has a sorting key, not indexes or row-level
    // security.
    for t in model.migrated.tables.iter().filter(|t| !t.keyless) {
        let Some(table) = model.tables.get(&t.name).filter(|x| x.scope == crate::model::Scope::Direct) else {
            continue;
        };
        let led = t.indexes.iter().any(|i| {
            i.columns
                .first()
                .is_some_and(|c| table.own_keys().any(|tc| tc == c))
        });
        if led {
            continue;
        }
        let tc = table.tenant_column().unwrap_or("tenant_id").to_string();
        let mut f = Finding::new(
            ID,
            t.file,
            t.span,
            format!("tenant table `{}` has no index led by `{tc}`", t.name),
        );
        f.primary_label = "created here".into();
        if !t.indexes.is_empty() {
            let list: Vec<String> = t
                .indexes
                .iter()
                .map(|i| format!("({})", i.columns.join(", ")))
                .collect();
            f.notes.push(format!("its indexes: {}", list.join(", ")));
        }
        f.help = Some(format!(
            "add `CREATE INDEX ON {} ({tc}, ..)` with the columns its queries sort or filter by",
            t.name
        ));
        f.identity = t.name.clone();
        out.push(f);
    }
    out
}
