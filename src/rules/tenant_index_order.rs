//! `tenant-index-order`: an index, unique constraint or primary key on a
//! tenant table that contains the tenant column, but not first. Queries
//! filter by tenant first; an index led by another column cannot narrow
//! to one tenant's rows, and a unique constraint not led by the tenant
//! column usually means uniqueness across tenants was not intended.

use crate::config::Level;
use crate::diagnostic::{Finding, Label};
use crate::model::migrations::IndexKind;
use crate::rules::{Context, Fact, Facts, RuleMeta};

/// Rule id.
pub const ID: &str = "tenant-index-order";

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default: Level::Warn,
    summary: "index on a tenant table containing the tenant column, but not first",
    doc: include_str!("../../rules/tenant-index-order.md"),
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
        let is_tc = |c: &str| table.own_keys().any(|tc| tc == c);
        for idx in &t.indexes {
            let Some(pos) = idx.columns.iter().position(|c| is_tc(c)) else {
                continue;
            };
            if pos == 0 {
                continue;
            }
            let tc = idx.columns[pos].clone();
            let what = match (idx.kind, &idx.name) {
                (IndexKind::PrimaryKey, _) => "primary key".to_string(),
                (IndexKind::Unique, Some(n)) => format!("unique index `{n}`"),
                (IndexKind::Unique, None) => "unique constraint".to_string(),
                (IndexKind::Index, Some(n)) => format!("index `{n}`"),
                (IndexKind::Index, None) => "index".to_string(),
            };
            let cols = idx.columns.join(", ");
            let mut reordered = vec![tc.clone()];
            reordered.extend(idx.columns.iter().filter(|c| **c != tc).cloned());
            let mut f = Finding::new(
                ID,
                idx.file,
                idx.span,
                format!(
                    "{what} on `{}` ({cols}) does not lead with the tenant column `{tc}`",
                    t.name
                ),
            );
            f.primary_label = format!("`{tc}` is column {} of {}", pos + 1, idx.columns.len());
            if idx.file != t.file || idx.span != t.span {
                f.labels.push(Label {
                    file: t.file,
                    span: t.span,
                    message: format!("`{}` is tenant-scoped", t.name),
                });
            }
            f.help = Some(format!("order it ({})", reordered.join(", ")));
            if idx.kind == IndexKind::PrimaryKey {
                f.notes.push(
                    "a tenant-first primary key makes lookups by id alone slower; if that is the intent, suppress with a reason"
                        .into(),
                );
            }
            f.identity = format!("{}|{what}|{cols}", t.name);
            out.push(f);
        }
    }
    out
}
