//! `missing-rls` (off by default): a tenant table without row-level
//! security — `ENABLE ROW LEVEL SECURITY` and at least one `CREATE
//! POLICY` that mentions the tenant column — so the database itself does
//! not stop a query that forgets the tenant filter.

use crate::config::Level;
use crate::diagnostic::Finding;
use crate::rules::{Context, Fact, Facts, RuleMeta};

/// Rule id.
pub const ID: &str = "missing-rls";

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default: Level::Off,
    summary: "tenant table without `ENABLE ROW LEVEL SECURITY` and a tenant policy",
    doc: include_str!("../../rules/missing-rls.md"),
    security: None,
    needs: &[Fact::Schema],
    reach: false,
};

/// Findings over the migrated schema; `[rls] require-force` also asks for
/// `FORCE ROW LEVEL SECURITY` (table owners bypass RLS otherwise).
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let Facts::Project(_) = &cx.facts else {
        return Vec::new();
    };
    let (model, require_force) = (cx.model, cx.config.rls.require_force);
    let mut out = Vec::new();
    // A ClickHouse table has a sorting key, not indexes or row-level
    // security.
    for t in model.migrated.tables.iter().filter(|t| !t.keyless) {
        let Some(table) = model.tables.get(&t.name).filter(|x| x.scope == crate::model::Scope::Direct) else {
            continue;
        };
        let policy = t.policies.iter().any(|p| {
            let p = p.to_ascii_lowercase();
            table.own_keys().any(|tc| p.contains(tc.as_str()))
        });
        let tc = table.tenant_column().unwrap_or("tenant_id");
        let name = &t.name;
        // What is missing, and the statement that adds it, in the order
        // they are usually written.
        let mut missing: Vec<(&str, String)> = Vec::new();
        if !t.rls_enabled {
            missing.push((
                "`ENABLE ROW LEVEL SECURITY`",
                format!("ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;"),
            ));
        }
        if require_force && !t.rls_forced {
            missing.push((
                "`FORCE ROW LEVEL SECURITY`",
                format!("ALTER TABLE {name} FORCE ROW LEVEL SECURITY;"),
            ));
        }
        // Postgres ORs permissive policies: beside an existing policy
        // that ignores the tenant, only a restrictive one (ANDed) limits
        // what it lets through.
        let others = !policy && !t.policies.is_empty();
        if !policy {
            let kind = if others { " AS RESTRICTIVE" } else { "" };
            missing.push((
                "a policy on the tenant column",
                format!("CREATE POLICY tenant_isolation ON {name}{kind} USING ({tc} = current_setting('app.tenant_id')::uuid);"),
            ));
        }
        if missing.is_empty() {
            continue;
        }
        let what: Vec<&str> = missing.iter().map(|(w, _)| *w).collect();
        let what = match what.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => what.join(""),
        };
        let mut f = Finding::new(
            ID,
            t.file,
            t.span,
            format!("tenant table `{name}` lacks {what}"),
        );
        f.primary_label = "created here".into();
        let fix: Vec<&str> = missing.iter().map(|(_, s)| s.as_str()).collect();
        f.help = Some(fix.join(" "));
        if others {
            f.notes.push(format!(
                "the policies on `{name}` do not mention `{tc}`; permissive policies are combined with OR, so a tenant policy beside them must be restrictive (or replace them)"
            ));
        }
        f.identity = t.name.clone();
        out.push(f);
    }
    out
}
