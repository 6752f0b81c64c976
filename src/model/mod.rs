//! The tenant model and the per-file facts it is built from. `schema`
//! extracts declarations; this module merges them (the same table may be
//! declared in several schema files, and by both Diesel and SeaORM), applies
//! `[tenant]` config, and answers "is this a tenant table, and which column
//! binds it?". SQL migrations will plug in as one more [`crate::orm::facts::TableFact`]
//! source.

pub mod migrations;
pub mod names;
pub mod queries;
pub mod schema;
pub mod summaries;
pub mod tenancy;

use crate::config::Config;
use crate::diagnostic::{FileId, Span};
use crate::orm::facts::SourceKind;
use crate::orm::Shape;
use schema::SchemaFacts;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Where a table or column was declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decl {
    /// File of the declaration.
    pub file: FileId,
    /// Location in that file.
    pub span: Span,
    /// Declaration style.
    pub kind: SourceKind,
}

/// A column of a table.
#[derive(Debug, Clone)]
pub struct Column {
    /// Database name.
    pub sql: String,
    /// Rust name(s) it is referred to by.
    pub rust: String,
    /// First declaration seen.
    pub decl: Decl,
    /// May hold NULL: what the migrations say, else the first declaration
    /// that says; `None` when none does.
    pub nullable: Option<bool>,
}

/// How a table's rows belong to a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Not tenant data.
    #[default]
    None,
    /// Its rows are the tenants (`organizations`).
    Root,
    /// Has a tenant key column (`org_id`, or any column referencing the root).
    Direct,
    /// Belongs to a tenant through a NOT NULL foreign key to tenant data.
    Child,
}

/// A foreign key of a table, resolved to table keys and SQL column names.
#[derive(Debug, Clone)]
pub struct ForeignKey {
    /// Referencing columns (SQL names).
    pub columns: Vec<String>,
    /// Referenced table (model key, lowercase).
    pub target: String,
    /// Referenced columns (SQL names); empty: the target's primary key.
    pub target_columns: Vec<String>,
    /// Where it is declared.
    pub decl: Decl,
}

/// A table known to the model.
#[derive(Debug, Clone)]
pub struct Table {
    /// Database name (the key of the model).
    pub sql: String,
    /// Columns, merged over all declarations.
    pub columns: Vec<Column>,
    /// Every declaration.
    pub decls: Vec<Decl>,
    /// Columns that bind a row to a tenant (SQL names, in config order);
    /// empty when this is not a tenant table. A table declared differently
    /// by two services of a monorepo may have more than one.
    pub tenant_columns: Vec<String>,
    /// Named in `[tenant] tables`.
    pub from_config: bool,
    /// Primary-key columns (Rust names) of the first declaration that has one.
    pub primary_key: Vec<String>,
    /// Foreign keys, from every declaration (deduplicated).
    pub foreign_keys: Vec<ForeignKey>,
    /// How its rows belong to a tenant.
    pub scope: Scope,
    /// For a child table, the chain to tenant data, one link per step
    /// (`endpoint.app_id -> application.id`).
    pub via: Vec<String>,
    /// For a direct table, the binding columns that are foreign keys to
    /// other tenant data rather than to the root (`message.app_id ->
    /// application`): they bind it as a child's parent keys do, and are in
    /// `tenant_columns` after its own tenant keys.
    pub parent_keys: Vec<String>,
    /// Why columns that look like tenant keys are not, and other decisions
    /// `schema` explains (`teams.org_id: references nothing while ..`).
    pub notes: Vec<String>,
}

impl Table {
    /// Whether rows of this table belong to a tenant.
    pub fn is_tenant(&self) -> bool {
        !self.tenant_columns.is_empty()
    }

    /// The main tenant column (the first in config order).
    pub fn tenant_column(&self) -> Option<&str> {
        self.tenant_columns.first().map(String::as_str)
    }

    /// Its own tenant keys: the binding columns that are no parent key of
    /// a direct table (what an index or a row-level policy should lead with).
    pub fn own_keys(&self) -> impl Iterator<Item = &String> {
        self.tenant_columns
            .iter()
            .filter(|c| !self.parent_keys.contains(c))
    }

    /// Whether this table is bound by parent keys: a child, or a direct
    /// table with a foreign key to other tenant data.
    pub fn has_parent_keys(&self) -> bool {
        self.scope == Scope::Child || !self.parent_keys.is_empty()
    }

    /// Whether `column` (SQL name) binds this table as a parent key does:
    /// any binding column of a child, a direct table's `parent_keys`.
    pub fn is_parent_key(&self, column: &str) -> bool {
        match self.scope {
            Scope::Child => self.tenant_columns.iter().any(|c| c == column),
            _ => self.parent_keys.iter().any(|c| c == column),
        }
    }

    /// Whether foreign key `k` of this table is one of its binding keys (a
    /// child's parent key, a tenant key to the root).
    pub fn binds_by(&self, k: &ForeignKey) -> bool {
        k.columns.iter().all(|c| self.tenant_columns.contains(c))
    }

    /// Declaration of the tenant column, if known.
    pub fn tenant_decl(&self) -> Option<&Column> {
        let tc = self.tenant_column()?;
        self.columns.iter().find(|c| c.sql == tc)
    }

    /// Rust name of the tenant column (defaults to its SQL name).
    pub fn tenant_rust(&self) -> Option<String> {
        let tc = self.tenant_column()?;
        Some(
            self.columns
                .iter()
                .find(|c| c.sql == tc)
                .map(|c| c.rust.clone())
                .unwrap_or_else(|| tc.to_string()),
        )
    }
}

/// What the analyser knows about the project's tables.
#[derive(Debug, Default, Clone)]
pub struct TenantModel {
    /// Tables by database name.
    pub tables: BTreeMap<String, Table>,
    /// Table module name (Diesel `table!`) → table key.
    pub table_modules: HashMap<String, String>,
    /// Table module name → the names its columns have in Rust
    /// (`type_` for `#[sql_name = "type"] type_ -> Text`), from every
    /// `table!` that declares the module.
    pub table_module_columns: HashMap<String, Vec<String>>,
    /// SeaORM entity module name → table key.
    pub entity_modules: HashMap<String, String>,
    /// Table key → the ORM that first declared it as a table module (its
    /// queries are read with that ORM's knowledge).
    pub table_module_orms: HashMap<String, crate::orm::Orm>,
    /// Re-exported entity alias (`Document`) → entity module (`document`).
    pub entity_aliases: HashMap<String, String>,
    /// Model struct naming its table (`#[diesel(table_name = ..)]`) → table key.
    pub row_structs: HashMap<String, String>,
    /// Entity module pairs related through a link table.
    pub related_via: HashSet<(String, String)>,
    /// SeaORM relation (entity module, variant) → target entity module.
    pub relations: HashMap<(String, String), String>,
    /// Types that carry the tenant: type name → tenant field.
    pub tenant_types: HashMap<String, String>,
    /// SQL held in `const`s / `static`s anywhere in the project, by name
    /// (None when two differ under the same name).
    pub sql_consts: HashMap<String, Option<std::sync::Arc<crate::sql::text::SqlText>>>,
    /// Tenant column names in force.
    pub tenant_columns: Vec<String>,
    /// The tables whose rows are the tenants.
    pub roots: Vec<String>,
    /// Column names that bind some tenant or child table (tenant keys of
    /// any name, parent keys), besides `tenant_columns`; not `id` nor a
    /// root's key. Raw SQL comparing one with a placeholder is scoped by
    /// that value (what `untrusted-tenant-source` follows).
    pub key_names: Vec<String>,
    /// For each child table, the words naming what its parents hang from
    /// (`TenantModel::above_parent_words`).
    pub parent_words: BTreeMap<String, Vec<String>>,
    /// Every word of `parent_words`.
    pub parent_vocab: std::collections::BTreeSet<String>,
    /// The schema the migrations leave (indexes, row-level security).
    pub migrated: migrations::Applied,
    /// Tables of a store without foreign keys (ClickHouse).
    pub keyless: BTreeSet<String>,
}

impl TenantModel {
    /// Merges per-file facts, in file order, and applies the config.
    pub fn build<'a>(
        facts: impl IntoIterator<Item = (FileId, &'a SchemaFacts)>,
        config: &Config,
    ) -> Self {
        let mut m = TenantModel {
            tenant_columns: config.tenant.columns.clone(),
            ..TenantModel::default()
        };
        let mut rust_modules: Vec<(String, String)> = Vec::new();
        let mut fk_facts: Vec<(FileId, crate::orm::facts::ForeignKeyFact)> = Vec::new();
        let mut keyless: Vec<(FileId, String, crate::diagnostic::Span)> = Vec::new();
        for (file, f) in facts {
            for t in &f.tables {
                if t.keyless {
                    keyless.push((file, t.sql.to_ascii_lowercase(), t.span));
                }
                let decl = Decl {
                    file,
                    span: t.span,
                    kind: t.kind,
                };
                let entry = m.tables.entry(t.sql.clone()).or_insert_with(|| Table {
                    sql: t.sql.clone(),
                    columns: Vec::new(),
                    decls: Vec::new(),
                    tenant_columns: Vec::new(),
                    from_config: false,
                    primary_key: Vec::new(),
                    foreign_keys: Vec::new(),
                    scope: Scope::None,
                    via: Vec::new(),
                    parent_keys: Vec::new(),
                    notes: Vec::new(),
                });
                entry.decls.push(decl);
                if entry.primary_key.is_empty() {
                    entry.primary_key = t.primary_key.clone();
                }
                for c in &t.columns {
                    match entry.columns.iter_mut().find(|x| x.sql == c.sql) {
                        Some(x) => {
                            // The migrations are the truth about NULL.
                            if c.nullable.is_some()
                                && (x.nullable.is_none() || t.kind == SourceKind::Sql)
                            {
                                x.nullable = c.nullable;
                            }
                        }
                        None => entry.columns.push(Column {
                            sql: c.sql.clone(),
                            rust: c.rust.clone(),
                            decl: Decl {
                                file: c.file.unwrap_or(file),
                                span: c.span,
                                kind: t.kind,
                            },
                            nullable: c.nullable,
                        }),
                    }
                }
                let shape = match t.kind {
                    SourceKind::Orm(o) => Some((o, crate::orm::Knowledge::get().pack(o).shape)),
                    SourceKind::Sql => None,
                };
                match shape {
                    Some((orm, Shape::TableModule)) => {
                        m.table_module_orms.entry(t.sql.clone()).or_insert(orm);
                        rust_modules.push((t.rust.clone(), t.sql.clone()));
                        m.table_module_columns
                            .entry(t.rust.clone())
                            .or_default()
                            .extend(t.columns.iter().map(|c| c.rust.clone()));
                    }
                    Some((_, Shape::Entity)) => {
                        m.entity_modules.insert(t.rust.clone(), t.sql.clone());
                    }
                    None => {}
                }
            }
            for (alias, module) in &f.entity_aliases {
                m.entity_aliases.insert(alias.clone(), module.clone());
            }
            for (s, t) in &f.row_structs {
                m.row_structs.insert(s.clone(), t.clone());
            }
            m.related_via.extend(f.related_via.iter().cloned());
            for (name, text) in &f.sql_consts {
                let slot = m
                    .sql_consts
                    .entry(name.clone())
                    .or_insert_with(|| Some(std::sync::Arc::new(text.clone())));
                if slot.as_ref().is_some_and(|t| t.text != text.text) {
                    *slot = None;
                }
            }
            for (ty, field) in &f.tenant_types {
                m.tenant_types.insert(ty.clone(), field.clone());
            }
            for (module, variant, target) in &f.relations {
                m.relations
                    .insert((module.clone(), variant.clone()), target.clone());
            }
            fk_facts.extend(f.foreign_keys.iter().map(|k| (file, k.clone())));
        }
        for (rust, sql) in rust_modules {
            m.table_modules.insert(rust, sql);
        }
        // Diesel structs name the table by its module name; map to the key.
        // SQL names compare lowercase.
        m.tables = std::mem::take(&mut m.tables)
            .into_values()
            .map(|mut t| {
                t.sql = t.sql.to_ascii_lowercase();
                (t.sql.clone(), t)
            })
            .fold(BTreeMap::new(), |mut acc, (k, t)| {
                acc.entry(k).or_insert(t);
                acc
            });
        for v in m
            .table_modules
            .values_mut()
            .chain(m.entity_modules.values_mut())
        {
            *v = v.to_ascii_lowercase();
        }
        let structs: Vec<(String, String)> = m.row_structs.drain().collect();
        for (s, t) in structs {
            let key = m.table_modules.get(&t).cloned().unwrap_or(t);
            m.row_structs.insert(s, key);
        }
        for t in &config.tenant.tables {
            let name = t.rsplit('.').next().unwrap_or(t).to_string();
            let entry = m.tables.entry(name.clone()).or_insert_with(|| Table {
                sql: name.clone(),
                columns: Vec::new(),
                decls: Vec::new(),
                tenant_columns: Vec::new(),
                from_config: true,
                primary_key: Vec::new(),
                foreign_keys: Vec::new(),
                scope: Scope::None,
                via: Vec::new(),
                parent_keys: Vec::new(),
                notes: Vec::new(),
            });
            entry.from_config = true;
        }
        let inferred = tenancy::keys_by_name(&m, &keyless);
        let inferred_notes: Vec<(String, String)> = inferred
            .iter()
            .map(|(_, k)| {
                (
                    k.table.clone(),
                    format!(
                        "{}.{} -> {}: inferred from the column's name (a store without foreign keys)",
                        k.table,
                        k.columns.join(", "),
                        k.target
                    ),
                )
            })
            .collect();
        fk_facts.extend(inferred);
        m.keyless = keyless.into_iter().map(|(_, t, _)| t).collect();
        tenancy::resolve_foreign_keys(&mut m, fk_facts);
        tenancy::infer(&mut m, config);
        for (table, note) in inferred_notes {
            if let Some(t) = m.tables.get_mut(&table) {
                t.notes.push(note);
            }
        }
        m
    }

    /// Whether `table` is tenant-scoped.
    pub fn is_tenant(&self, table: &str) -> bool {
        self.tables.get(table).is_some_and(Table::is_tenant)
    }

    /// Whether `rust_col` (Rust name) is a tenant column of `table`.
    pub fn is_tenant_column(&self, table: &str, rust_col: &str) -> bool {
        let Some(t) = self.tables.get(table) else {
            return false;
        };
        t.tenant_columns.iter().any(|tc| {
            t.columns
                .iter()
                .find(|c| &c.sql == tc)
                .map_or(tc == rust_col, |c| c.rust == rust_col)
        })
    }

    /// Whether `rust_col` (Rust name) is one of `table`'s own tenant keys,
    /// which an insert must set (not a direct table's parent key).
    pub fn is_own_key(&self, table: &str, rust_col: &str) -> bool {
        let direct_parent = self
            .tables
            .get(table)
            .is_some_and(|t| t.scope != Scope::Child)
            && self.is_parent_key(table, rust_col);
        !direct_parent && self.is_tenant_column(table, rust_col)
    }

    /// Whether `rust_col` (Rust name) binds `table` as a parent key: a
    /// child's binding column, a direct table's key to other tenant data.
    pub fn is_parent_key(&self, table: &str, rust_col: &str) -> bool {
        let Some(t) = self.tables.get(table) else {
            return false;
        };
        let sql = t
            .columns
            .iter()
            .find(|c| c.rust == rust_col)
            .map_or(rust_col, |c| c.sql.as_str());
        t.is_parent_key(sql)
    }

    /// Whether `column` (its Rust name) is the whole primary key of
    /// `table`; `id` when the key is not known.
    pub fn is_primary_key(&self, table: &str, column: &str) -> bool {
        match self.tables.get(table).map(|t| t.primary_key.as_slice()) {
            Some([pk]) => pk == column,
            Some([]) | None => column == "id",
            Some(_) => false,
        }
    }

    /// Whether the primary key of `table` includes a tenant column, so a
    /// lookup by primary key is bound by construction (`find((org, id))`).
    pub fn pk_binds_tenant(&self, table: &str) -> bool {
        self.tables.get(table).is_some_and(|t| {
            t.primary_key
                .iter()
                .any(|c| self.is_tenant_column(table, c))
        })
    }

    /// Whether a bare column name looks like a tenant column.
    pub fn is_tenant_name(&self, name: &str) -> bool {
        self.tenant_columns.iter().any(|c| c == name)
    }

    /// Tenant tables, sorted by name.
    pub fn tenant_tables(&self) -> impl Iterator<Item = &Table> {
        self.tables.values().filter(|t| t.is_tenant())
    }
}

/// The model as SQL sees it with some parent keys not binding:
/// [`Keys::without_parent_keys`] (what a statement leaves of a child, or of
/// a direct table bound by a parent key, when the parent row it names is
/// not known to be the caller's) and [`Keys::own`] (where the caller's
/// tenant is in hand: a direct table is bound by its own tenant key only,
/// not by a parent key such as `comments.document_id`, since the function
/// could have used the tenant; children are bound as ever).
pub struct Keys<'m> {
    model: &'m TenantModel,
    /// A child's parent keys do not bind either.
    children: bool,
}

impl<'m> Keys<'m> {
    /// Neither a child's nor a direct table's parent keys bind.
    pub fn without_parent_keys(model: &'m TenantModel) -> Self {
        Keys {
            model,
            children: true,
        }
    }

    /// Only a direct table's own tenant keys bind it.
    pub fn own(model: &'m TenantModel) -> Self {
        Keys {
            model,
            children: false,
        }
    }
}

impl crate::sql::TableInfo for Keys<'_> {
    fn is_tenant(&self, table: &str) -> bool {
        self.model.is_tenant(table)
    }

    fn is_tenant_column(&self, table: &str, column: &str) -> bool {
        let dropped = self.model.tables.get(table).is_some_and(|t| {
            (self.children && t.scope == Scope::Child) || t.parent_keys.iter().any(|c| c == column)
        });
        !dropped && crate::sql::TableInfo::is_tenant_column(self.model, table, column)
    }

    fn is_own_key(&self, table: &str, column: &str) -> bool {
        crate::sql::TableInfo::is_own_key(self.model, table, column)
    }

    fn has_column(&self, table: &str, column: &str) -> Option<bool> {
        crate::sql::TableInfo::has_column(self.model, table, column)
    }

    fn tenant_column(&self, table: &str) -> Option<String> {
        crate::sql::TableInfo::tenant_column(self.model, table)
    }

    fn binds_into(&self, from: &str, to: &str) -> bool {
        if self.children {
            return self.model.binds_into(from, to);
        }
        let by_parent = self.model.tables.get(to).is_some_and(|t| {
            t.scope == Scope::Direct
                && t.foreign_keys.iter().any(|k| {
                    k.target == from && k.columns.iter().all(|c| t.parent_keys.contains(c))
                })
        });
        let from_direct = self
            .model
            .tables
            .get(from)
            .is_some_and(|t| matches!(t.scope, Scope::Direct | Scope::Root));
        self.model.binds_into(from, to) && (!by_parent || from_direct)
    }

    fn is_root(&self, table: &str) -> bool {
        self.model.is_root(table)
    }

    fn column_position(&self, table: &str, column: &str) -> Option<usize> {
        crate::sql::TableInfo::column_position(self.model, table, column)
    }
}

impl crate::sql::TableInfo for TenantModel {
    fn is_tenant(&self, table: &str) -> bool {
        TenantModel::is_tenant(self, table)
    }

    fn is_tenant_column(&self, table: &str, column: &str) -> bool {
        let Some(t) = self.tables.get(table) else {
            // A table we know nothing about: its tenant-named column still
            // says which tenant a row belongs to.
            return self.is_tenant_name(column);
        };
        Some(t).is_some_and(|t| {
            t.tenant_columns.iter().any(|c| c == column)
                // A tenant-named column the declarations we read do not
                // have: the SQL names it, so this service's table has it (a
                // monorepo may declare the same table differently elsewhere).
                || (self.is_tenant_name(column) && !t.columns.iter().any(|c| c.sql == column))
        })
    }

    fn is_own_key(&self, table: &str, column: &str) -> bool {
        let parent = self
            .tables
            .get(table)
            .is_some_and(|t| t.parent_keys.iter().any(|c| c == column));
        !parent && crate::sql::TableInfo::is_tenant_column(self, table, column)
    }

    fn has_column(&self, table: &str, column: &str) -> Option<bool> {
        let t = self.tables.get(table)?;
        if t.columns.is_empty() {
            return None;
        }
        Some(t.columns.iter().any(|c| c.sql == column))
    }

    fn tenant_column(&self, table: &str) -> Option<String> {
        self.tables.get(table)?.tenant_column().map(str::to_string)
    }

    fn binds_into(&self, from: &str, to: &str) -> bool {
        TenantModel::binds_into(self, from, to)
    }

    fn is_root(&self, table: &str) -> bool {
        TenantModel::is_root(self, table)
    }

    fn column_position(&self, table: &str, column: &str) -> Option<usize> {
        self.migrated
            .tables
            .iter()
            .find(|t| t.name == table)?
            .columns
            .iter()
            .position(|c| c.0 == column)
    }
}
