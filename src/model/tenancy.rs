//! The tenancy tree: which tables are tenant data, and how, inferred from
//! the schema with no configuration.
//!
//! - **Foreign keys** are facts from every declaration (Diesel `joinable!`
//!   and `belongs_to`, SeaORM `belongs_to` relations, SQL `REFERENCES`,
//!   `FOREIGN KEY`, `ALTER TABLE .. ADD CONSTRAINT`, sea-query
//!   `ForeignKey::create()`), resolved here to table keys and SQL columns.
//! - **The root** is the table whose rows are the tenants: the target of
//!   foreign keys from tenant-named columns (`org_id REFERENCES orgs`), or
//!   a table named like a tenant (`organizations`, `workspaces`, `teams`,
//!   `tenants`, `accounts`, `companies`, after a short prefix such as
//!   `af_`) that at least two other tables point at, by foreign key or by a
//!   column named after it. `[tenant] root` overrides. A query on the root
//!   is bound by its own key; an insert into it needs no tenant column.
//! - **Direct** tables have a tenant key: a column referencing the root,
//!   whatever its name (`org_uuid`, `owner_org`); a tenant-named column
//!   (`[tenant] columns`) unless the schema contradicts it (it references
//!   another table, or it is the only table with that column while the
//!   schema declares foreign keys and no root); with a root, a column named
//!   after it (`org`, `workspace_id`).
//! - **Child** tables have no tenant key but a NOT NULL foreign key to
//!   tenant data (`endpoint.app_id -> application.id`); their parent keys
//!   bind them. A nullable foreign key does not make a child: the row need
//!   not belong to a parent.
//! - A direct table whose tenant keys are all nullable also has owners of
//!   another kind (`sends.user_uuid`, rows belonging to a user or to an
//!   organization): its other nullable foreign keys bind it too.

use super::{Decl, ForeignKey, Scope, TenantModel};
use crate::config::Config;
use crate::diagnostic::FileId;
use crate::orm::facts::ForeignKeyFact;
use std::collections::{BTreeMap, BTreeSet};

/// Words that name a table of tenants (singular).
const ROOT_WORDS: &[&str] = &[
    "organization",
    "organisation",
    "org",
    "tenant",
    "workspace",
    "team",
    "account",
    "company",
];

/// Suffixes of a column named after the root (`org`, `org_id`, `org_uuid`).
const KEY_SUFFIXES: &[&str] = &["", "_id", "_uuid", "_key", "_identifier"];

/// `companies` → `company`, `organizations` → `organization`.
fn singular(w: &str) -> String {
    if let Some(s) = w.strip_suffix("ies") {
        format!("{s}y")
    } else if w.ends_with("ss") {
        w.to_string()
    } else {
        w.strip_suffix('s').unwrap_or(w).to_string()
    }
}

/// The root word a table is named by, if any: the whole name, or the name
/// without a short prefix (`af_workspace`, `tb_orgs`).
fn root_word(table: &str) -> Option<&'static str> {
    let mut names = vec![singular(table)];
    if let Some((p, rest)) = table.split_once('_') {
        if p.len() <= 3 && !rest.is_empty() {
            names.push(singular(rest));
        }
    }
    ROOT_WORDS
        .iter()
        .copied()
        .find(|w| names.iter().any(|n| n == w))
}

/// The stems of columns named after a root word.
fn stems(word: &str) -> Vec<&str> {
    match word {
        "organization" | "organisation" => vec![word, "org"],
        w => vec![w],
    }
}

fn named_after(column: &str, word: &str) -> bool {
    stems(word).iter().any(|s| {
        KEY_SUFFIXES
            .iter()
            .any(|suf| column.strip_prefix(s) == Some(suf))
    })
}

/// Resolves the foreign-key facts to table keys and SQL column names and
/// stores them on their tables; a key whose table is unknown is dropped.
pub fn resolve_foreign_keys(m: &mut TenantModel, facts: Vec<(FileId, ForeignKeyFact)>) {
    let table_of = |m: &TenantModel, name: &str, rust: bool| -> Option<String> {
        let lower = name.to_ascii_lowercase();
        if rust {
            if let Some(t) = m
                .table_modules
                .get(name)
                .or_else(|| m.entity_modules.get(name))
                .or_else(|| m.row_structs.get(name))
            {
                return Some(t.clone());
            }
        }
        m.tables.contains_key(&lower).then_some(lower)
    };
    for (file, f) in facts {
        let Some(table) = table_of(m, &f.table, f.rust) else {
            continue;
        };
        // An unknown target keeps its written name: the key still says
        // the column is not the root's.
        let target =
            table_of(m, &f.target, f.rust).unwrap_or_else(|| f.target.to_ascii_lowercase());
        let sql_of = |m: &TenantModel, t: &str, c: &str| -> String {
            let squash = |s: &str| s.replace('_', "").to_ascii_lowercase();
            m.tables
                .get(t)
                .and_then(|t| {
                    t.columns
                        .iter()
                        .find(|x| x.rust == c)
                        .or_else(|| t.columns.iter().find(|x| squash(&x.rust) == squash(c)))
                })
                .map_or_else(|| c.to_ascii_lowercase(), |x| x.sql.clone())
        };
        let (columns, target_columns): (Vec<String>, Vec<String>) = if f.rust {
            (
                f.columns.iter().map(|c| sql_of(m, &table, c)).collect(),
                f.target_columns
                    .iter()
                    .map(|c| sql_of(m, &target, c))
                    .collect(),
            )
        } else {
            (f.columns, f.target_columns)
        };
        if columns.is_empty() {
            continue;
        }
        let decl = Decl {
            file,
            span: f.span,
            kind: f.kind,
        };
        let Some(t) = m.tables.get_mut(&table) else {
            continue;
        };
        match t
            .foreign_keys
            .iter_mut()
            .find(|k| k.columns == columns && k.target == target)
        {
            Some(k) => {
                if k.target_columns.is_empty() {
                    k.target_columns = target_columns;
                }
            }
            None => t.foreign_keys.push(ForeignKey {
                columns,
                target,
                target_columns,
                decl,
            }),
        }
    }
}

/// Whether the column may hold NULL (unknown: not).
fn nullable(m: &TenantModel, table: &str, column: &str) -> bool {
    m.tables
        .get(table)
        .and_then(|t| t.columns.iter().find(|c| c.sql == column))
        .and_then(|c| c.nullable)
        .unwrap_or(false)
}

/// The SQL names of a table's primary key.
fn primary_key_sql(m: &TenantModel, table: &str) -> Vec<String> {
    let Some(t) = m.tables.get(table) else {
        return Vec::new();
    };
    t.primary_key
        .iter()
        .map(|r| {
            t.columns
                .iter()
                .find(|c| c.rust == *r)
                .map_or_else(|| r.clone(), |c| c.sql.clone())
        })
        .collect()
}

/// The (first) column a foreign key references: as written, else the
/// target's primary key, else `id`.
fn referenced_column(m: &TenantModel, k: &ForeignKey) -> String {
    k.target_columns
        .first()
        .cloned()
        .or_else(|| primary_key_sql(m, &k.target).into_iter().next())
        .unwrap_or_else(|| "id".to_string())
}

/// The roots: configured, else inferred.
fn roots(m: &TenantModel, config: &Config) -> BTreeSet<String> {
    if !config.tenant.root.is_empty() {
        return config
            .tenant
            .root
            .iter()
            .map(|r| r.rsplit('.').next().unwrap_or(r).to_ascii_lowercase())
            .collect();
    }
    let tenant_named = |c: &str| config.tenant.columns.iter().any(|x| x == c);
    let mut candidates: BTreeSet<String> = BTreeSet::new();
    // Targets of tenant-named keys: a root when two tables point at it so,
    // or when nothing else is (one `workspace_id REFERENCES
    // slack_workspaces` beside an `organizations` root is a look-alike).
    let mut weak: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for t in m.tables.values() {
        for k in &t.foreign_keys {
            if k.target != t.sql
                && m.tables.contains_key(&k.target)
                && k.columns.len() == 1
                && tenant_named(&k.columns[0])
            {
                weak.entry(k.target.as_str()).or_default().insert(&t.sql);
            }
        }
    }
    for (target, from) in &weak {
        if from.len() >= 2 {
            candidates.insert(target.to_string());
        }
    }
    // Tables named like tenants, pointed at by two or more tables.
    for (name, _) in m.tables.iter() {
        let Some(word) = root_word(name) else {
            continue;
        };
        let mut pointing: BTreeSet<&str> = BTreeSet::new();
        for t in m.tables.values().filter(|t| t.sql != *name) {
            let by_key = t.foreign_keys.iter().any(|k| k.target == *name);
            let by_name = t.columns.iter().any(|c| {
                named_after(&c.sql, word)
                    && !t
                        .foreign_keys
                        .iter()
                        .any(|k| k.columns.contains(&c.sql) && k.target != *name)
            });
            if by_key || by_name {
                pointing.insert(&t.sql);
            }
        }
        if pointing.len() >= 2 {
            candidates.insert(name.clone());
        }
    }
    // A candidate that hangs below another (`teams.org_id -> orgs`) is not
    // a root; the one above it is, even when only that key points at it.
    let all: BTreeSet<String> = candidates
        .iter()
        .cloned()
        .chain(weak.keys().map(|t| t.to_string()))
        .collect();
    let mut above: BTreeSet<String> = BTreeSet::new();
    let below: BTreeSet<String> = all
        .iter()
        .filter(|c| {
            m.tables.get(*c).is_some_and(|t| {
                let ups: Vec<&String> = t
                    .foreign_keys
                    .iter()
                    .filter(|k| {
                        k.target != t.sql
                            && all.contains(&k.target)
                            && k.columns.iter().all(|col| !nullable(m, &t.sql, col))
                    })
                    .map(|k| &k.target)
                    .collect();
                above.extend(ups.iter().map(|u| u.to_string()));
                !ups.is_empty()
            })
        })
        .cloned()
        .collect();
    let strong: BTreeSet<String> = candidates.difference(&below).cloned().collect();
    all.into_iter()
        .filter(|c| !below.contains(c))
        .filter(|c| strong.contains(c) || strong.is_empty() || above.contains(c))
        .collect()
}

/// The foreign keys of tables in a store that has none (ClickHouse),
/// inferred from their columns' names: `dataset_id` references `datasets`
/// (or `dataset`), when the model has that table and it is another one.
/// Analytics tables hang below the application's tables this way only.
pub fn keys_by_name(
    m: &TenantModel,
    keyless: &[(FileId, String, crate::diagnostic::Span)],
) -> Vec<(FileId, ForeignKeyFact)> {
    let mut out = Vec::new();
    for (file, table, span) in keyless {
        let Some(t) = m.tables.get(table) else {
            continue;
        };
        for c in &t.columns {
            let Some(stem) = ["_id", "_uuid"]
                .iter()
                .find_map(|s| c.sql.strip_suffix(s))
                .filter(|s| !s.is_empty())
            else {
                continue;
            };
            let mut names = vec![stem.to_string(), format!("{stem}s"), format!("{stem}es")];
            if let Some(b) = stem.strip_suffix('y') {
                names.push(format!("{b}ies"));
            }
            let Some(target) = names
                .into_iter()
                .find(|n| n != table && m.tables.contains_key(n))
            else {
                continue;
            };
            out.push((
                *file,
                ForeignKeyFact {
                    table: table.clone(),
                    columns: vec![c.sql.clone()],
                    target,
                    target_columns: Vec::new(),
                    rust: false,
                    span: *span,
                    kind: crate::orm::facts::SourceKind::Sql,
                },
            ));
        }
    }
    out
}

/// Decides every table's scope and binding columns.
pub fn infer(m: &mut TenantModel, config: &Config) {
    let ignored: BTreeSet<String> = config
        .tenant
        .ignore_tables
        .iter()
        .map(|t| t.rsplit('.').next().unwrap_or(t).to_ascii_lowercase())
        .collect();
    let roots = roots(m, config);
    decide_keys(m, config, &roots, &ignored);
    add_owner_keys(m);
    add_children(m, &ignored);
    inherit_owner_keys(m);
    add_parent_keys(m, &ignored);
    note_nullable_links(m);
    m.roots = roots
        .into_iter()
        .filter(|r| m.tables.contains_key(r))
        .collect();
    m.key_names = key_names(m);
    m.parent_words = parent_words(m);
    m.parent_vocab = m.parent_words.values().flatten().cloned().collect();
}

/// Words too generic to tie a value to a tenant (`id`, `uuid`).
const GENERIC_WORDS: &[&str] = &["id", "uuid", "key", "identifier", "pk", "name", "ref"];

/// For each child table: the words that name what its parents hang from
/// (their binding keys and the tables above them, up to the root).
/// `messagedestination` (via `endp_id -> endpoint`, `endpoint.app_id ->
/// application`, scoped by `org_id`): `app`, `application`, `org`,
/// `organization`. A statement that combines a parent key's value with a
/// value so named checks the parent row (`find_by_id_and_app(app.id,
/// endp_id)`).
fn parent_words(m: &TenantModel) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for t in m.tables.values().filter(|t| t.has_parent_keys()) {
        let mut words: BTreeSet<String> = BTreeSet::new();
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut todo: Vec<&str> = t
            .foreign_keys
            .iter()
            .filter(|k| t.binds_by(k) && k.columns.iter().all(|c| t.is_parent_key(c)))
            .map(|k| k.target.as_str())
            .collect();
        while let Some(p) = todo.pop() {
            if !seen.insert(p) {
                continue;
            }
            let Some(pt) = m.tables.get(p) else { continue };
            let mut named = |name: &str| {
                for w in crate::model::queries::ident_words(name) {
                    if GENERIC_WORDS.contains(&w.as_str()) {
                        continue;
                    }
                    let one = singular(&w);
                    for s in stems(&one) {
                        words.insert(s.to_string());
                    }
                    words.insert(one);
                    words.insert(w);
                }
            };
            for c in &pt.tenant_columns {
                named(c);
            }
            // Its other keys to tenant data tie it to a tenant too (a
            // message loaded by its application's id).
            let tied: Vec<&crate::model::ForeignKey> = pt
                .foreign_keys
                .iter()
                .filter(|k| !pt.binds_by(k) && m.is_tenant(&k.target))
                .collect();
            for k in &tied {
                for c in &k.columns {
                    named(c);
                }
            }
            if pt.scope != Scope::Child {
                // The parent's own tenant: named by its key, or the root.
                for k in pt.foreign_keys.iter().filter(|k| pt.binds_by(k)) {
                    if m.is_root(&k.target) {
                        named(&k.target);
                    }
                }
            }
            if pt.scope == Scope::Root {
                named(&pt.sql);
            }
            todo.extend(
                pt.foreign_keys
                    .iter()
                    .filter(|k| pt.binds_by(k) || m.is_tenant(&k.target))
                    .map(|k| k.target.as_str()),
            );
        }
        out.insert(t.sql.clone(), words.into_iter().collect());
    }
    out
}

/// Roots, direct tables and their keys, and the look-alikes rejected.
fn decide_keys(
    m: &mut TenantModel,
    config: &Config,
    roots: &BTreeSet<String>,
    ignored: &BTreeSet<String>,
) {
    let declares_keys = m.tables.values().any(|t| !t.foreign_keys.is_empty());
    // How many tables carry each column name.
    let mut carriers: BTreeMap<&str, usize> = BTreeMap::new();
    for t in m.tables.values() {
        for c in &t.columns {
            *carriers.entry(c.sql.as_str()).or_default() += 1;
        }
    }
    let root_words: Vec<&'static str> = roots.iter().filter_map(|r| root_word(r)).collect();
    let mut decided: BTreeMap<String, (Scope, Vec<String>, Vec<String>)> = BTreeMap::new();
    for t in m.tables.values() {
        let mut notes = Vec::new();
        if ignored.contains(&t.sql) {
            decided.insert(t.sql.clone(), (Scope::None, Vec::new(), notes));
            continue;
        }
        if roots.contains(&t.sql) {
            // Bound by the key the tenant keys reference, else its own.
            let mut keys: Vec<String> = Vec::new();
            for o in m.tables.values() {
                for k in o.foreign_keys.iter().filter(|k| k.target == t.sql) {
                    for c in &k.target_columns {
                        if !keys.contains(c) && t.columns.iter().any(|x| x.sql == *c) {
                            keys.push(c.clone());
                        }
                    }
                }
            }
            if keys.is_empty() {
                keys = primary_key_sql(m, &t.sql);
            }
            if keys.is_empty() && t.columns.iter().any(|c| c.sql == "id") {
                keys.push("id".to_string());
            }
            decided.insert(t.sql.clone(), (Scope::Root, keys, notes));
            continue;
        }
        let mut keys: Vec<String> = Vec::new();
        for c in &t.columns {
            let key = t
                .foreign_keys
                .iter()
                .find(|k| k.columns.len() == 1 && k.columns[0] == c.sql);
            let tenant_named = config.tenant.columns.contains(&c.sql);
            if key.is_some_and(|k| roots.contains(&k.target)) {
                keys.push(c.sql.clone());
            } else if tenant_named {
                if let Some(k) = key {
                    notes.push(format!(
                        "{}.{} references {}, which is not a tenant root: not a tenant key",
                        t.sql, c.sql, k.target
                    ));
                } else if roots.is_empty()
                    && declares_keys
                    && !config.tenant.columns_configured
                    && carriers.get(c.sql.as_str()).copied().unwrap_or(0) == 1
                {
                    notes.push(format!(
                        "{}.{} references nothing, no other table has it, and the schema \
                         declares foreign keys but no tenant root: a look-alike, not a tenant key",
                        t.sql, c.sql
                    ));
                } else {
                    keys.push(c.sql.clone());
                }
            } else if key.is_none() && root_words.iter().any(|w| named_after(&c.sql, w)) {
                keys.push(c.sql.clone());
            }
        }
        // Configured column names first, in config order.
        keys.sort_by_key(|k| {
            config
                .tenant
                .columns
                .iter()
                .position(|c| c == k)
                .unwrap_or(usize::MAX)
        });
        if keys.is_empty() && t.from_config {
            keys = config.tenant.columns.first().cloned().into_iter().collect();
        }
        let scope = if keys.is_empty() {
            Scope::None
        } else {
            Scope::Direct
        };
        decided.insert(t.sql.clone(), (scope, keys, notes));
    }
    for (name, (scope, keys, notes)) in decided {
        if let Some(t) = m.tables.get_mut(&name) {
            t.scope = scope;
            t.tenant_columns = keys;
            t.notes = notes;
            t.via.clear();
        }
    }
}

/// A direct table whose tenant keys are all nullable also belongs to the
/// owners its other nullable foreign keys name.
fn add_owner_keys(m: &mut TenantModel) {
    let names: Vec<String> = m.tables.keys().cloned().collect();
    for name in &names {
        let t = &m.tables[name];
        if t.scope != Scope::Direct || !t.tenant_columns.iter().all(|c| nullable(m, name, c)) {
            continue;
        }
        let owners: Vec<(String, String)> = t
            .foreign_keys
            .iter()
            .filter(|k| k.columns.len() == 1 && nullable(m, name, &k.columns[0]))
            .filter(|k| !t.tenant_columns.contains(&k.columns[0]))
            .map(|k| (k.columns[0].clone(), k.target.clone()))
            .collect();
        if owners.is_empty() {
            continue;
        }
        let t = m.tables.get_mut(name).expect("listed");
        for (c, target) in owners {
            t.notes.push(format!(
                "{name}.{c} (-> {target}) binds too: the tenant key is nullable, so a row \
                 belongs to a tenant or to a {target} row"
            ));
            t.tenant_columns.push(c);
        }
    }
}

/// Child tables, to a fixpoint: NOT NULL foreign keys to tenant data.
fn add_children(m: &mut TenantModel, ignored: &BTreeSet<String>) {
    let names: Vec<String> = m.tables.keys().cloned().collect();
    loop {
        let mut changed = false;
        for name in &names {
            let t = &m.tables[name];
            // A child gains the keys of parents found to be tenant data
            // after it (a link table below two children).
            if !matches!(t.scope, Scope::None | Scope::Child) || ignored.contains(name) {
                continue;
            }
            let mut keys: Vec<String> = t.tenant_columns.clone();
            let mut via: Vec<String> = t.via.clone();
            for k in &t.foreign_keys {
                let Some(parent) = m.tables.get(&k.target).filter(|p| p.sql != *name) else {
                    continue;
                };
                if !matches!(parent.scope, Scope::Direct | Scope::Child) {
                    continue;
                }
                if k.columns.iter().any(|c| nullable(m, name, c)) {
                    continue;
                }
                let Some(col) = k.columns.first() else {
                    continue;
                };
                if keys.contains(col) {
                    continue;
                }
                keys.push(col.clone());
                if via.is_empty() {
                    let target_col = referenced_column(m, k);
                    via.push(format!("{name}.{col} -> {}.{target_col}", k.target));
                    via.extend(parent.via.iter().cloned());
                }
            }
            if keys.is_empty() || keys.len() == t.tenant_columns.len() {
                continue;
            }
            let t = m.tables.get_mut(name).expect("listed");
            t.scope = Scope::Child;
            t.tenant_columns = keys;
            t.via = via;
            changed = true;
        }
        if !changed {
            break;
        }
    }
}

/// The owners other than tenants a table's rows may belong to: the
/// targets of its binding columns that are neither a root nor tenant data
/// (`ciphers.user_uuid -> users`).
fn owner_targets(m: &TenantModel, t: &super::Table) -> Vec<String> {
    t.foreign_keys
        .iter()
        .filter(|k| k.columns.len() == 1 && t.tenant_columns.contains(&k.columns[0]))
        .filter(|k| {
            m.tables
                .get(&k.target)
                .is_some_and(|x| x.scope == Scope::None)
        })
        .map(|k| k.target.clone())
        .collect()
}

/// A child of a parent whose rows may belong to a user instead of a tenant
/// (`favorites` below `ciphers`, whose tenant key is nullable and whose
/// `user_uuid` binds too) is bound by its own key to that owner as well:
/// `favorites.user_uuid = $user` reads the user's own rows.
fn inherit_owner_keys(m: &mut TenantModel) {
    let names: Vec<String> = m.tables.keys().cloned().collect();
    for _ in 0..2 {
        for name in &names {
            let t = &m.tables[name];
            if t.scope != Scope::Child {
                continue;
            }
            let mut owners: Vec<String> = Vec::new();
            for k in &t.foreign_keys {
                let is_parent = t.binds_by(k);
                if let Some(p) = m.tables.get(&k.target).filter(|_| is_parent) {
                    owners.extend(owner_targets(m, p));
                }
            }
            let add: Vec<(String, String)> = t
                .foreign_keys
                .iter()
                .filter(|k| k.columns.len() == 1 && !t.tenant_columns.contains(&k.columns[0]))
                .filter(|k| owners.contains(&k.target))
                .map(|k| (k.columns[0].clone(), k.target.clone()))
                .collect();
            if add.is_empty() {
                continue;
            }
            let t = m.tables.get_mut(name).expect("listed");
            for (c, target) in add {
                t.notes.push(format!(
                    "{name}.{c} (-> {target}) binds too: its parent's rows may belong to a {target} row rather than a tenant"
                ));
                t.tenant_columns.push(c);
            }
        }
    }
}

/// A direct table with a NOT NULL foreign key to other tenant data (not
/// the root) is bound by it as a child is by its parent key: a `message`
/// with its own `org_id` and `app_id -> application` belongs to the
/// application's tenant, so `WHERE app_id = $1` with a checked application
/// binds it (and one taken from the request does not, as for a child).
fn add_parent_keys(m: &mut TenantModel, ignored: &BTreeSet<String>) {
    let names: Vec<String> = m.tables.keys().cloned().collect();
    for name in &names {
        let t = &m.tables[name];
        if t.scope != Scope::Direct || ignored.contains(name) {
            continue;
        }
        let add: Vec<(String, String)> = t
            .foreign_keys
            .iter()
            .filter(|k| k.columns.len() == 1 && k.target != *name)
            .filter(|k| !t.tenant_columns.contains(&k.columns[0]))
            .filter(|k| !nullable(m, name, &k.columns[0]))
            .filter(|k| {
                m.tables
                    .get(&k.target)
                    .is_some_and(|p| matches!(p.scope, Scope::Direct | Scope::Child))
            })
            .map(|k| (k.columns[0].clone(), k.target.clone()))
            .collect();
        let t = m.tables.get_mut(name).expect("listed");
        for (c, target) in add {
            if t.parent_keys.contains(&c) {
                continue;
            }
            t.notes.push(format!(
                "{name}.{c} (-> {target}) binds too, as a parent key: a row belongs to the \
                 tenant of its `{target}` row"
            ));
            t.tenant_columns.push(c.clone());
            t.parent_keys.push(c);
        }
    }
}

/// Explains the nullable links to tenant data that did not make a child.
fn note_nullable_links(m: &mut TenantModel) {
    let names: Vec<String> = m.tables.keys().cloned().collect();
    for name in &names {
        let t = &m.tables[name];
        if t.scope != Scope::None {
            continue;
        }
        let notes: Vec<String> = t
            .foreign_keys
            .iter()
            .filter(|k| {
                m.tables
                    .get(&k.target)
                    .is_some_and(|p| p.scope != Scope::None && p.sql != *name)
            })
            .map(|k| {
                format!(
                    "{name}.{} -> {}: nullable, so a row need not belong to a tenant: not tenant data",
                    k.columns.join(", "),
                    k.target
                )
            })
            .collect();
        m.tables.get_mut(name).expect("listed").notes.extend(notes);
    }
}

/// Column names that bind some direct or child table, besides the
/// configured tenant columns: not ids, not a root's key.
fn key_names(m: &TenantModel) -> Vec<String> {
    let mut key_names: Vec<String> = Vec::new();
    for t in m.tables.values() {
        if !matches!(t.scope, Scope::Direct | Scope::Child) {
            continue;
        }
        let pk = primary_key_sql(m, &t.sql);
        // A direct table's parent keys are other tables' ids, not tenant
        // values.
        for c in t.own_keys() {
            let own_id = c == "id" || (pk.len() == 1 && pk[0] == *c);
            if !own_id && !m.tenant_columns.contains(c) && !key_names.contains(c) {
                key_names.push(c.clone());
            }
        }
    }
    key_names.sort();
    key_names
}

impl TenantModel {
    /// Whether binding `from` binds `to` when the two are joined by column
    /// equality: between direct tables and from the root into them (the
    /// tenant key pins the tenant), and from a parent into its child (the
    /// parent key pins the parent row); never from a child up to its
    /// parent, so never through a link table between two parents. Into a
    /// table of a store without foreign keys (ClickHouse), from any tenant
    /// table.
    pub fn binds_into(&self, from: &str, to: &str) -> bool {
        let (Some(a), Some(b)) = (self.tables.get(from), self.tables.get(to)) else {
            return false;
        };
        if !(a.is_tenant() && b.is_tenant()) {
            return false;
        }
        // A store without foreign keys references rows by plain columns
        // (`events.request_id = search_queries.id`): a join by column
        // equality into one of its tables is how its rows are tied.
        if self.keyless.contains(to) {
            return true;
        }
        let parent_of_b = || {
            b.foreign_keys
                .iter()
                .any(|k| k.target == from && b.binds_by(k))
        };
        match b.scope {
            Scope::Direct => matches!(a.scope, Scope::Direct | Scope::Root) || parent_of_b(),
            Scope::Root => matches!(a.scope, Scope::Direct | Scope::Root),
            Scope::Child => parent_of_b(),
            Scope::None => false,
        }
    }

    /// A child table's first link to its parent: (parent key, parent
    /// table, parent column).
    pub fn parent_link(&self, table: &str) -> Option<(String, String, String)> {
        let t = self.tables.get(table).filter(|t| t.scope == Scope::Child)?;
        let col = t.tenant_columns.first()?;
        let k = t
            .foreign_keys
            .iter()
            .find(|k| k.columns.first() == Some(col))?;
        Some((col.clone(), k.target.clone(), referenced_column(self, k)))
    }

    /// The parent table a parent key `key` (its Rust or SQL name) of a
    /// child, or of a direct table, points at; its first parent when `key`
    /// is none of its keys.
    pub fn parent_by_key(&self, table: &str, key: &str) -> Option<String> {
        let t = self.tables.get(table).filter(|t| t.has_parent_keys())?;
        let sql = t
            .columns
            .iter()
            .find(|c| c.rust == key)
            .map_or(key, |c| c.sql.as_str());
        t.foreign_keys
            .iter()
            .find(|k| {
                t.binds_by(k)
                    && k.columns.first().map(String::as_str) == Some(sql)
                    && t.is_parent_key(sql)
            })
            .map(|k| k.target.clone())
            .or_else(|| self.parent_link(table).map(|(_, p, _)| p))
            .or_else(|| {
                let first = t.parent_keys.first()?;
                t.foreign_keys
                    .iter()
                    .find(|k| k.columns.first() == Some(first))
                    .map(|k| k.target.clone())
            })
    }

    /// For a child table, how its rows belong to a tenant, for findings:
    /// "`endpoint` is tenant data through its parent: endpoint.app_id ->
    /// application.id (`application` is scoped by `org_id`)".
    pub fn child_note(&self, table: &str) -> Option<String> {
        let t = self.tables.get(table).filter(|t| t.scope == Scope::Child)?;
        // The table at the top of the chain (the one `via` ends at), with
        // the key that scopes it.
        let mut top = table.to_string();
        for _ in 0..=t.via.len() {
            match self.parent_link(&top) {
                Some((_, parent, _)) => top = parent,
                None => break,
            }
        }
        let top = self.tables.get(&top).filter(|p| p.sql != table);
        let scoped = top.map_or(String::new(), |p| {
            format!(
                " (`{}` is scoped by `{}`)",
                p.sql,
                p.tenant_columns.first().map_or("", String::as_str)
            )
        });
        Some(format!(
            "`{table}` is tenant data through its parent: {}{scoped}",
            t.via.join(", ")
        ))
    }

    /// The words naming what the parents of child `table` hang from (see
    /// `parent_words`); empty for other tables.
    pub fn above_parent_words(&self, table: &str) -> &[String] {
        self.parent_words.get(table).map_or(&[], Vec::as_slice)
    }

    /// Whether what a request value was combined with (`seen`, by word)
    /// checks the parent row it picks for child `table`: the caller's
    /// tenant in hand, or a word naming what the parent hangs from.
    pub fn checks_parent(&self, table: &str, seen: impl Fn(&str) -> bool) -> bool {
        seen(crate::model::queries::TENANT_IN_HAND)
            || self.above_parent_words(table).iter().any(|w| seen(w))
    }

    /// Whether `table` is a root (its rows are the tenants).
    pub fn is_root(&self, table: &str) -> bool {
        self.tables
            .get(table)
            .is_some_and(|t| t.scope == Scope::Root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_words_and_stems() {
        assert_eq!(root_word("organizations"), Some("organization"));
        assert_eq!(root_word("af_workspace"), Some("workspace"));
        assert_eq!(root_word("companies"), Some("company"));
        assert_eq!(root_word("oauth_account"), None);
        assert_eq!(root_word("org_users"), None);
        assert!(named_after("org", "organization"));
        assert!(named_after("org_uuid", "organization"));
        assert!(named_after("workspace_id", "workspace"));
        assert!(!named_after("organizer", "organization"));
        assert!(!named_after("org_name", "organization"));
    }
}
