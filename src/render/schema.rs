//! `tenant-lint schema`: the tenancy tree the analysis uses, as text, as
//! versioned JSON, or drawn (Mermaid, Graphviz dot).

use crate::model::{Scope, Table, TenantModel};
use crate::orm::facts::SourceKind;
use crate::report::FileEntry;
use std::fmt::Write as _;

/// Output formats of `schema`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaFormat {
    /// The tree, one table per line, then the decisions.
    Text,
    /// `{"version":1,"roots":[..],"tables":[..]}`.
    Json,
    /// A Mermaid flowchart (GitHub renders it in Markdown).
    Mermaid,
    /// Graphviz dot.
    Dot,
}

fn scope_name(s: Scope) -> &'static str {
    match s {
        Scope::None => "none",
        Scope::Root => "root",
        Scope::Direct => "direct",
        Scope::Child => "child",
    }
}

/// Where each declaration of `t` is, `file:line (kind)`.
fn places(t: &Table, files: &[FileEntry]) -> Vec<String> {
    let mut out: Vec<String> = t
        .decls
        .iter()
        .map(|d| {
            let kind = match d.kind {
                SourceKind::Orm(o) => o.schema_label(),
                SourceKind::Sql => "sql",
            };
            format!("{}:{} ({kind})", files[d.file].shown, d.span.start.line)
        })
        .collect();
    if t.from_config {
        out.push("tenant-lint.toml [tenant] tables".into());
    }
    out
}

/// Tenant tables in tree order: roots, direct tables, children.
fn tenant_tables(model: &TenantModel) -> Vec<&Table> {
    let mut v: Vec<&Table> = model.tenant_tables().collect();
    v.sort_by_key(|t| {
        (
            match t.scope {
                Scope::Root => 0,
                Scope::Direct => 1,
                Scope::Child => 2,
                Scope::None => 3,
            },
            t.sql.clone(),
        )
    });
    v
}

/// The text tree.
pub fn text(model: &TenantModel, files: &[FileEntry], problems: &[String]) -> String {
    let mut out = String::new();
    if model.roots.is_empty() {
        out.push_str("tenant root: none found (tenant tables are those with a tenant key)\n");
    }
    for r in &model.roots {
        let key = model
            .tables
            .get(r)
            .map(|t| t.tenant_columns.join(", "))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "tenant root: {r} (its rows are the tenants; bound by {key})"
        );
    }
    let tenant = tenant_tables(model);
    // The tenant keys the direct tables use, then the names `[tenant]
    // columns` gives (what a column is recognised by without a key).
    let mut keys: Vec<&str> = Vec::new();
    for t in tenant.iter().filter(|t| t.scope == Scope::Direct) {
        if let Some(k) = t.tenant_columns.first() {
            if !keys.contains(&k.as_str()) {
                keys.push(k);
            }
        }
    }
    let _ = writeln!(
        out,
        "{} tenant table{} (tenant keys: {}; tenant column names: {})",
        tenant.len(),
        if tenant.len() == 1 { "" } else { "s" },
        if keys.is_empty() {
            "none".to_string()
        } else {
            keys.join(", ")
        },
        model.tenant_columns.join(", ")
    );
    // Widths from the data: a long table name or several tenant columns
    // must not run into the next field.
    let columns: Vec<String> = tenant.iter().map(|t| t.tenant_columns.join(", ")).collect();
    let how: Vec<String> = tenant
        .iter()
        .map(|t| match t.scope {
            Scope::Child => format!("child via {}", t.via.join(", ")),
            s => scope_name(s).to_string(),
        })
        .collect();
    let width =
        |items: &mut dyn Iterator<Item = &str>| items.map(|s| s.chars().count()).max().unwrap_or(0);
    let name_w = width(&mut tenant.iter().map(|t| t.sql.as_str()));
    let col_w = width(&mut columns.iter().map(String::as_str));
    let how_w = width(&mut how.iter().map(String::as_str));
    for ((t, col), how) in tenant.iter().zip(&columns).zip(&how) {
        let _ = write!(
            out,
            "  {:<name_w$}  {:<col_w$}  {:<how_w$}  ",
            t.sql, col, how
        );
        out.push_str(&places(t, files).join(", "));
        out.truncate(out.trim_end().len());
        out.push('\n');
    }
    let others: Vec<&str> = model
        .tables
        .values()
        .filter(|t| !t.is_tenant())
        .map(|t| t.sql.as_str())
        .collect();
    if !others.is_empty() {
        let _ = writeln!(
            out,
            "{} other table{} (not tenant data): {}",
            others.len(),
            if others.len() == 1 { "" } else { "s" },
            others.join(", ")
        );
    }
    let notes: Vec<&String> = model.tables.values().flat_map(|t| &t.notes).collect();
    if !notes.is_empty() {
        out.push_str("decisions:\n");
        for n in notes {
            let _ = writeln!(out, "- {n}");
        }
    }
    for p in problems {
        let _ = writeln!(out, "could not analyse {p}");
    }
    out
}

/// The versioned JSON form.
pub fn json(model: &TenantModel, files: &[FileEntry], problems: &[String]) -> String {
    let tables: Vec<serde_json::Value> = model
        .tables
        .values()
        .map(|t| {
            serde_json::json!({
                "name": t.sql,
                "scope": scope_name(t.scope),
                "key": t.tenant_columns,
                "via": t.via,
                "declared": places(t, files),
                "foreign_keys": t.foreign_keys.iter().map(|k| serde_json::json!({
                    "columns": k.columns,
                    "references": k.target,
                    "target_columns": k.target_columns,
                })).collect::<Vec<_>>(),
                "notes": t.notes,
            })
        })
        .collect();
    let v = serde_json::json!({
        "version": 1,
        "roots": model.roots,
        "tenant_columns": model.tenant_columns,
        "tables": tables,
        "problems": problems,
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

/// A name safe as a Mermaid / dot node id.
fn node(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// The edges of the tree among `keep`: child → parent by its parent key,
/// direct → root by its tenant key.
fn edges<'m>(
    model: &'m TenantModel,
    keep: &dyn Fn(&str) -> bool,
) -> Vec<(&'m str, &'m str, String)> {
    let mut out = Vec::new();
    for t in model.tables.values().filter(|t| keep(&t.sql)) {
        for k in &t.foreign_keys {
            let Some(p) = model.tables.get(&k.target).filter(|p| keep(&p.sql)) else {
                continue;
            };
            let binding = t.binds_by(k);
            if p.is_tenant() && t.is_tenant() && binding && p.sql != t.sql {
                out.push((t.sql.as_str(), p.sql.as_str(), k.columns.join(", ")));
            }
        }
    }
    out
}

/// A Mermaid flowchart of the tenant tables (all, or those `only` names
/// and their ancestors).
pub fn mermaid(model: &TenantModel, only: Option<&[String]>) -> String {
    let wanted = closure(model, only);
    let keep = |t: &str| wanted.iter().any(|w| w == t);
    let mut out = String::from("flowchart BT\n");
    for t in tenant_tables(model).into_iter().filter(|t| keep(&t.sql)) {
        let label = match t.scope {
            Scope::Root => format!("{}<br/>root", t.sql),
            _ => format!("{}<br/>{}", t.sql, t.tenant_columns.join(", ")),
        };
        let shape = match t.scope {
            Scope::Root => format!("{}[(\"{label}\")]", node(&t.sql)),
            Scope::Direct => format!("{}[\"{label}\"]", node(&t.sql)),
            _ => format!("{}(\"{label}\")", node(&t.sql)),
        };
        let _ = writeln!(out, "  {shape}");
    }
    for (a, b, col) in edges(model, &keep) {
        let _ = writeln!(out, "  {} -->|{col}| {}", node(a), node(b));
    }
    out
}

/// Graphviz dot of the tenant tables.
pub fn dot(model: &TenantModel) -> String {
    let wanted = closure(model, None);
    let keep = |t: &str| wanted.iter().any(|w| w == t);
    let mut out = String::from("digraph tenancy {\n  rankdir=BT;\n  node [shape=box];\n");
    for t in tenant_tables(model) {
        let style = match t.scope {
            Scope::Root => ", shape=cylinder",
            Scope::Child => ", style=rounded",
            _ => "",
        };
        let _ = writeln!(
            out,
            "  {} [label=\"{}\\n{}\"{style}];",
            node(&t.sql),
            t.sql,
            t.tenant_columns.join(", ")
        );
    }
    for (a, b, col) in edges(model, &keep) {
        let _ = writeln!(out, "  {} -> {} [label=\"{col}\"];", node(a), node(b));
    }
    out.push_str("}\n");
    out
}

/// The tenant tables named (all when `None`) and the tables above them.
fn closure(model: &TenantModel, only: Option<&[String]>) -> Vec<String> {
    let mut out: Vec<String> = match only {
        None => return model.tenant_tables().map(|t| t.sql.clone()).collect(),
        Some(o) => o.iter().filter(|t| model.is_tenant(t)).cloned().collect(),
    };
    let mut i = 0;
    while i < out.len() {
        if let Some(t) = model.tables.get(&out[i]) {
            for k in &t.foreign_keys {
                let up = t.binds_by(k) && model.is_tenant(&k.target);
                if up && !out.contains(&k.target) {
                    out.push(k.target.clone());
                }
            }
        }
        i += 1;
    }
    out
}
