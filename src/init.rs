//! `tenant-lint init`: writes a commented starter `tenant-lint.toml` from
//! what discovery found — the tenant columns and tables, helpers whose
//! names suggest they scope queries or bypass scoping, and the migration
//! folders — and never overwrites an existing file without `--force`.

use crate::config::DEFAULT_TENANT_COLUMNS;
use crate::engine::{self, Error};
use crate::model::TenantModel;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Names of functions defined in a text (`fn name`), by a token scan.
fn fn_names(text: &str, out: &mut BTreeSet<String>) {
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(i) = text[from..].find("fn ") {
        let at = from + i;
        from = at + 3;
        if at > 0 && (b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_') {
            continue;
        }
        let name: String = text[at + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
}

fn looks_scoping(n: &str) -> bool {
    [
        "for_org",
        "for_tenant",
        "for_workspace",
        "for_organization",
        "secure_",
        "scoped",
        "scope_to",
        "in_org",
        "by_org",
        "by_tenant",
    ]
    .iter()
    .any(|p| n.starts_with(p))
        && !looks_superuser(n)
}

fn looks_superuser(n: &str) -> bool {
    [
        "unscoped",
        "all_tenants",
        "all_orgs",
        "cross_tenant",
        "cross_org",
        "superuser",
        "bypass_tenant",
        "as_admin",
    ]
    .iter()
    .any(|p| n.contains(p))
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("\"{s}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

/// The starter config text for a model and the project's function names.
pub fn render(model: &TenantModel, names: &BTreeSet<String>, migration_dirs: &[String]) -> String {
    let tenant: Vec<&crate::model::Table> = model.tenant_tables().collect();
    // Tenant-named keys of direct tables; keys found by foreign key or by
    // the root's name (`org_uuid`, `org`) and parent keys of child tables
    // are inferred again on every run, so they are not written.
    let mut columns: Vec<String> = Vec::new();
    for t in tenant
        .iter()
        .filter(|t| t.scope == crate::model::Scope::Direct)
    {
        for c in t.tenant_columns.iter().filter(|c| model.is_tenant_name(c)) {
            if !columns.contains(c) {
                columns.push(c.clone());
            }
        }
    }
    let others: Vec<String> = model
        .tables
        .values()
        .filter(|t| !t.is_tenant())
        .map(|t| t.sql.clone())
        .collect();
    let scope: Vec<String> = names.iter().filter(|n| looks_scoping(n)).cloned().collect();
    let superuser: Vec<String> = names
        .iter()
        .filter(|n| looks_superuser(n))
        .cloned()
        .collect();
    let mut s = String::new();
    s.push_str("# tenant-lint configuration, written by `tenant-lint init`.\n");
    s.push_str("# Every key is optional; delete what you do not need. `tenant-lint explain RULE` documents each rule.\n\n");
    s.push_str("[tenant]\n");
    if model.roots.is_empty() {
        s.push_str(concat!(
            "# No tenant root was found (a table whose rows are the tenants). If there is one,\n",
            "# name it: its foreign keys then find the tenant data below it.\n",
            "# root = \"organizations\"\n"
        ));
    } else {
        s.push_str("# Tenant root, inferred (set `root` to override):\n");
        s.push_str(&format!("# root = {}\n", list(&model.roots)));
    }
    let names_of: Vec<&str> = tenant.iter().map(|t| t.sql.as_str()).collect();
    s.push_str(&format!(
        "# Found {} tenant table{}: {}\n",
        tenant.len(),
        if tenant.len() == 1 { "" } else { "s" },
        if names_of.is_empty() {
            "(none)".to_string()
        } else {
            names_of.join(", ")
        }
    ));
    let of_scope = |scope: crate::model::Scope| -> Vec<String> {
        tenant
            .iter()
            .filter(|t| t.scope == scope)
            .map(|t| match scope {
                crate::model::Scope::Child => format!(
                    "{} (via {})",
                    t.sql,
                    t.via.first().map_or("", String::as_str)
                ),
                _ => format!("{} ({})", t.sql, t.tenant_columns.join(", ")),
            })
            .collect()
    };
    for (label, scope) in [
        ("with a tenant key", crate::model::Scope::Direct),
        ("below a parent", crate::model::Scope::Child),
    ] {
        let v = of_scope(scope);
        if !v.is_empty() {
            s.push_str(&format!("#   {label}: {}\n", v.join(", ")));
        }
    }
    // `columns` replaces the default list, so a config that names only
    // the columns found today would hide a table added tomorrow with
    // another default column: write it only when something beyond the
    // defaults was found, and then with the defaults in it.
    let defaults: Vec<String> = DEFAULT_TENANT_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .collect();
    let extra: Vec<String> = columns
        .iter()
        .filter(|c| !defaults.contains(c))
        .cloned()
        .collect();
    s.push_str(&format!(
        "# Tenant columns found: {}. Unless `columns` is set, the default list applies: {}.\n",
        if columns.is_empty() {
            "(none)".to_string()
        } else {
            columns.join(", ")
        },
        defaults.join(", ")
    ));
    let all = list(&[defaults, extra.clone()].concat());
    if extra.is_empty() {
        s.push_str(
            "# Setting `columns` replaces the default list; name every tenant column you use:\n",
        );
        s.push_str(&format!("# columns = {all}\n"));
    } else {
        s.push_str("# `columns` replaces the default list, so it names the defaults as well as the columns found:\n");
        s.push_str(&format!("columns = {all}\n"));
    }
    if !others.is_empty() {
        s.push_str(&format!("# Not tenant data: {}\n", others.join(", ")));
    }
    s.push_str("# Tenant-owned tables without a tenant column, and tables never tenant-scoped:\n# tables = []\n# ignore-tables = []\n");
    if scope.is_empty() {
        s.push_str("# Methods that scope a query to the caller's tenant:\n# scope-methods = []\n");
    } else {
        s.push_str("# Functions whose names suggest they scope queries to a tenant; keep the ones that do:\n");
        s.push_str(&format!("# scope-methods = {}\n", list(&scope)));
    }
    s.push_str("# Types whose values carry the tenant (for the \"tenant in scope\" hint):\n# types = []\n\n");
    s.push_str("[superuser]\n");
    if superuser.is_empty() {
        s.push_str("# Cross-tenant helpers (names, paths, or Type::*) and where they may be called:\n# calls = []\n");
    } else {
        s.push_str(
            "# Functions whose names suggest they bypass tenant scoping; review, then enable:\n",
        );
        s.push_str(&format!("# calls = {}\n", list(&superuser)));
    }
    s.push_str("# allowed-paths = [\"src/admin/**\"]\n\n");
    s.push_str("[rules]\n# tenant-index-order = \"error\"\n# missing-rls = \"warn\"\n\n");
    s.push_str("[files]\n");
    if !migration_dirs.is_empty() {
        s.push_str(&format!(
            "# Migrations read from: {}\n",
            migration_dirs.join(", ")
        ));
    }
    s.push_str("# exclude = [\"src/generated/**\"]\n# include-tests = false\n");
    s
}

/// Writes `tenant-lint.toml` in `dir`; returns its path.
pub fn run(dir: &Path, force: bool) -> Result<PathBuf, Error> {
    let target = dir.join("tenant-lint.toml");
    if target.exists() && !force {
        return Err(Error::Usage(format!(
            "{} already exists; use --force to overwrite it",
            target.display()
        )));
    }
    let (model, files, _) = engine::schema(&[dir.to_path_buf()], None)?;
    let mut names = BTreeSet::new();
    let mut dirs = BTreeSet::new();
    for f in &files {
        if f.rel.ends_with(".rs") {
            if let Ok(t) = std::fs::read_to_string(&f.path) {
                fn_names(&t, &mut names);
            }
        } else if let Some((d, _)) = f
            .rel
            .rsplit_once("/migrations/")
            .or_else(|| f.rel.split_once("migrations/").map(|(a, _)| (a, "")))
        {
            dirs.insert(if d.is_empty() {
                "migrations/".to_string()
            } else {
                format!("{d}/migrations/")
            });
        }
    }
    let text = render(&model, &names, &dirs.into_iter().collect::<Vec<_>>());
    std::fs::write(&target, text).map_err(|e| Error::Io {
        path: target.clone(),
        message: e.to_string(),
    })?;
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helper_names() {
        let mut names = BTreeSet::new();
        fn_names(
            "pub fn for_org(self, o: Uuid) -> Self {}\nasync fn unscoped_all() {}\nfn overdue_for_org() {}\nfn secure_find() {}\nlet confn = 1;",
            &mut names,
        );
        let scope: Vec<&String> = names.iter().filter(|n| looks_scoping(n)).collect();
        let su: Vec<&String> = names.iter().filter(|n| looks_superuser(n)).collect();
        assert_eq!(scope, ["for_org", "secure_find"]);
        assert_eq!(su, ["unscoped_all"]);
    }
}
