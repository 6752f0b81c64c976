//! `missing-rls` (off by default): a tenant table without row-level
//! security — `ENABLE ROW LEVEL SECURITY` and at least one `CREATE
//! POLICY` that mentions the tenant column — so the database itself does
//! not stop a query that forgets the tenant filter.

use crate::diagnostic::Finding;
use crate::model::TenantModel;

/// Rule id.
pub const ID: &str = "missing-rls";

/// Findings over the migrated schema; `require_force` also asks for
/// `FORCE ROW LEVEL SECURITY` (table owners bypass RLS otherwise).
pub fn check(model: &TenantModel, require_force: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    for t in &model.migrated.tables {
        let Some(table) = model.tables.get(&t.name).filter(|x| x.is_tenant()) else {
            continue;
        };
        let policy = t.policies.iter().any(|p| {
            let p = p.to_ascii_lowercase();
            table
                .tenant_columns
                .iter()
                .any(|tc| p.contains(tc.as_str()))
        });
        let mut missing = Vec::new();
        if !t.rls_enabled {
            missing.push("`ENABLE ROW LEVEL SECURITY`");
        }
        if !policy {
            missing.push("a policy on the tenant column");
        }
        if require_force && !t.rls_forced {
            missing.push("`FORCE ROW LEVEL SECURITY`");
        }
        if missing.is_empty() {
            continue;
        }
        let tc = table.tenant_column().unwrap_or("tenant_id").to_string();
        let mut f = Finding::new(
            ID,
            t.file,
            t.span,
            format!("tenant table `{}` lacks {}", t.name, missing.join(" and ")),
        );
        f.primary_label = "created here".into();
        f.help = Some(format!(
            "ALTER TABLE {0} ENABLE ROW LEVEL SECURITY; CREATE POLICY tenant_isolation ON {0} USING ({tc} = current_setting('app.tenant_id')::uuid);",
            t.name
        ));
        f.identity = t.name.clone();
        out.push(f);
    }
    out
}
