//! The schema as migrations leave it: SQL migrations and SeaORM (sea-query)
//! migrations are read into [`SchemaOp`]s and applied in the order they
//! run (`CREATE TABLE`, `ALTER TABLE .. ADD/DROP/RENAME COLUMN`, `RENAME
//! TO`, `DROP TABLE`, indexes created and dropped, row-level security and
//! policies). The final tables become [`TableFact`]s like any other
//! declaration, and their indexes and RLS state feed the migration rules.

use crate::diagnostic::Failure;
use crate::diagnostic::{FileId, LineIndex, Span};
use crate::orm::facts::{ColumnFact, ForeignKeyFact, SourceKind, TableFact};
use crate::sql;
pub use crate::sql::SchemaOp;
use std::collections::BTreeMap;

/// Where a migration's operations came from, in the order they run.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct History {
    /// The migration file.
    pub file: FileId,
    /// Its operations, in order.
    pub ops: Vec<SchemaOp>,
}

/// Reads a SQL migration into operations; a table definition that cannot
/// be read is a failure of the file.
pub fn sql_ops(text: &str) -> (Vec<SchemaOp>, Option<Failure>) {
    let ddl = sql::ddl(text);
    let lines = LineIndex::new(text);
    let failure = ddl.parse_error.as_ref().and_then(|(msg, range)| {
        let piece = text.get(range.clone()).unwrap_or("").to_ascii_lowercase();
        let stmt: Vec<&str> = piece.split_whitespace().take(2).collect();
        matches!(stmt.as_slice(), ["create", "table"] | ["alter", "table"]).then(|| Failure {
            span: lines.span(range),
            message: format!("could not read this table definition as SQL: {msg}"),
        })
    });
    let ops = ddl
        .ops
        .into_iter()
        .map(|op| op.map_span(|r| lines.span(&r)))
        .collect();
    (ops, failure)
}

/// What kind of index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum IndexKind {
    /// The primary key.
    PrimaryKey,
    /// A unique index or constraint.
    Unique,
    /// A plain index.
    Index,
}

/// An index in the final schema.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct IndexFact {
    /// Name, if any.
    pub name: Option<String>,
    /// Columns (or expressions) in order.
    pub columns: Vec<String>,
    /// Primary key, unique, or plain.
    pub kind: IndexKind,
    /// Has a `WHERE` clause.
    pub partial: bool,
    /// Where it is declared.
    pub file: FileId,
    /// The statement.
    pub span: Span,
}

/// A table in the final schema of the migrations.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct MigratedTable {
    /// Lowercase name.
    pub name: String,
    /// File of its `CREATE TABLE`.
    pub file: FileId,
    /// The table name in the `CREATE TABLE`.
    pub span: Span,
    /// Columns: name, file, span.
    pub columns: Vec<(String, FileId, Span)>,
    /// Indexes, primary key and unique constraints.
    pub indexes: Vec<IndexFact>,
    /// `ENABLE ROW LEVEL SECURITY` seen.
    pub rls_enabled: bool,
    /// `FORCE ROW LEVEL SECURITY` seen.
    pub rls_forced: bool,
    /// Texts of the policies on it.
    pub policies: Vec<String>,
    /// Columns declared `NOT NULL` (or in the primary key).
    #[serde(default)]
    pub not_null: Vec<String>,
    /// Foreign keys, with the file that declared each.
    #[serde(default)]
    pub foreign_keys: Vec<(crate::sql::ForeignKey, FileId, Span)>,
    /// The partitioned table this is a partition of.
    #[serde(default)]
    pub partition_of: Option<String>,
    /// Created in a store without foreign keys (ClickHouse): see
    /// [`crate::sql::SchemaOp::CreateTable`].
    #[serde(default)]
    pub keyless: bool,
}

/// The final schema of a migration history.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct Applied {
    /// Tables in their final state.
    pub tables: Vec<MigratedTable>,
}

impl Applied {
    /// The foreign keys as model facts (file of the declaration, fact).
    pub fn foreign_key_facts(&self) -> Vec<(FileId, ForeignKeyFact)> {
        self.tables
            .iter()
            .flat_map(|t| {
                t.foreign_keys.iter().map(|(fk, file, span)| {
                    (
                        *file,
                        ForeignKeyFact {
                            table: t.name.clone(),
                            columns: fk.columns.clone(),
                            target: fk.target.clone(),
                            target_columns: fk.target_columns.clone(),
                            rust: false,
                            span: *span,
                            kind: SourceKind::Sql,
                        },
                    )
                })
            })
            .collect()
    }

    /// The tables as model facts (file of the `CREATE TABLE`, fact).
    pub fn table_facts(&self) -> Vec<(FileId, TableFact)> {
        self.tables
            .iter()
            .map(|t| {
                let pk = t
                    .indexes
                    .iter()
                    .find(|i| i.kind == IndexKind::PrimaryKey)
                    .map(|i| i.columns.clone())
                    .unwrap_or_default();
                (
                    t.file,
                    TableFact {
                        rust: t.name.clone(),
                        sql: t.name.clone(),
                        kind: SourceKind::Sql,
                        columns: t
                            .columns
                            .iter()
                            .map(|(c, f, s)| ColumnFact {
                                rust: c.clone(),
                                sql: c.clone(),
                                span: *s,
                                file: Some(*f),
                                nullable: Some(!t.not_null.contains(c)),
                            })
                            .collect(),
                        primary_key: pk,
                        span: t.span,
                        keyless: t.keyless,
                    },
                )
            })
            .collect()
    }
}

/// Applies migration histories, given in the order they run.
pub fn apply(histories: &[History]) -> Applied {
    let mut tables: BTreeMap<String, MigratedTable> = BTreeMap::new();
    for h in histories {
        let file = h.file;
        for op in &h.ops {
            match op.clone() {
                SchemaOp::CreateTable {
                    table,
                    span,
                    columns,
                    primary_key,
                    unique,
                    not_null,
                    foreign_keys,
                    partition_of,
                    keyless,
                } => {
                    let mut indexes = Vec::new();
                    if !primary_key.is_empty() {
                        indexes.push(IndexFact {
                            name: None,
                            columns: primary_key,
                            kind: IndexKind::PrimaryKey,
                            partial: false,
                            file,
                            span,
                        });
                    }
                    for u in unique {
                        indexes.push(IndexFact {
                            name: None,
                            columns: u,
                            kind: IndexKind::Unique,
                            partial: false,
                            file,
                            span,
                        });
                    }
                    tables.insert(
                        table.clone(),
                        MigratedTable {
                            name: table.clone(),
                            file,
                            span,
                            columns: columns.into_iter().map(|(c, s)| (c, file, s)).collect(),
                            indexes,
                            rls_enabled: false,
                            rls_forced: false,
                            policies: Vec::new(),
                            not_null,
                            foreign_keys: foreign_keys
                                .into_iter()
                                .map(|fk| (fk, file, span))
                                .collect(),
                            partition_of: partition_of.clone(),
                            keyless,
                        },
                    );
                    // A partition has its parent's columns, keys and
                    // (partitioned) indexes.
                    let parent = partition_of.and_then(|p| tables.get(&p).cloned());
                    if let (Some(p), Some(t)) = (parent, tables.get_mut(&table)) {
                        if t.columns.is_empty() {
                            t.columns = p.columns;
                        }
                        t.not_null.extend(p.not_null);
                        t.foreign_keys.extend(p.foreign_keys);
                        t.indexes.extend(p.indexes);
                    }
                }
                SchemaOp::AddColumn {
                    table,
                    column,
                    span,
                    not_null,
                    nullable_type,
                } => {
                    if let Some(t) = tables.get_mut(&table) {
                        if !t.columns.iter().any(|c| c.0 == column) {
                            // A ClickHouse column is NOT NULL unless typed
                            // `Nullable(..)`.
                            if not_null || (t.keyless && !nullable_type) {
                                t.not_null.push(column.clone());
                            }
                            t.columns.push((column, file, span));
                        }
                    }
                }
                SchemaOp::AddForeignKey { table, fk } => {
                    if let Some(t) = tables.get_mut(&table) {
                        let span = t
                            .columns
                            .iter()
                            .find(|c| fk.columns.first() == Some(&c.0))
                            .map_or(t.span, |c| c.2);
                        if !t.foreign_keys.iter().any(|(k, ..)| *k == fk) {
                            t.foreign_keys.push((fk, file, span));
                        }
                    }
                }
                SchemaOp::DropConstraint { table, name } => {
                    if let Some(t) = tables.get_mut(&table) {
                        let tname = t.name.clone();
                        t.foreign_keys.retain(|(k, ..)| {
                            let own = k
                                .name
                                .clone()
                                .unwrap_or_else(|| format!("{tname}_{}_fkey", k.columns.join("_")));
                            own != name
                        });
                    }
                }
                SchemaOp::SetNotNull {
                    table,
                    column,
                    not_null,
                } => {
                    if let Some(t) = tables.get_mut(&table) {
                        t.not_null.retain(|c| *c != column);
                        if not_null {
                            t.not_null.push(column);
                        }
                    }
                }
                SchemaOp::DropColumn { table, column } => {
                    if let Some(t) = tables.get_mut(&table) {
                        t.columns.retain(|c| c.0 != column);
                        t.not_null.retain(|c| *c != column);
                        t.foreign_keys
                            .retain(|(k, ..)| !k.columns.contains(&column));
                        // PostgreSQL drops the indexes that use it.
                        t.indexes.retain(|i| !i.columns.contains(&column));
                    }
                }
                SchemaOp::RenameColumn { table, from, to } => {
                    if let Some(t) = tables.get_mut(&table) {
                        for c in t.columns.iter_mut().filter(|c| c.0 == from) {
                            c.0 = to.clone();
                        }
                        for c in t.not_null.iter_mut().filter(|c| **c == from) {
                            *c = to.clone();
                        }
                        for (k, ..) in &mut t.foreign_keys {
                            for c in k.columns.iter_mut().filter(|c| **c == from) {
                                *c = to.clone();
                            }
                        }
                        for i in &mut t.indexes {
                            for c in i.columns.iter_mut().filter(|c| **c == from) {
                                *c = to.clone();
                            }
                        }
                    }
                }
                SchemaOp::RenameTable { from, to } => {
                    if let Some(mut t) = tables.remove(&from) {
                        t.name = to.clone();
                        tables.insert(to.clone(), t);
                        // Keys that referenced it follow it.
                        for t in tables.values_mut() {
                            for (k, ..) in &mut t.foreign_keys {
                                if k.target == from {
                                    k.target = to.clone();
                                }
                            }
                        }
                    }
                }
                SchemaOp::DropTable { table } => {
                    tables.remove(&table);
                    // Its partitions go with it.
                    tables.retain(|_, t| t.partition_of.as_deref() != Some(table.as_str()));
                }
                SchemaOp::CreateIndex {
                    name,
                    table,
                    columns,
                    unique,
                    partial,
                    span,
                } => {
                    let ix = IndexFact {
                        name,
                        columns,
                        kind: if unique {
                            IndexKind::Unique
                        } else {
                            IndexKind::Index
                        },
                        partial,
                        file,
                        span,
                    };
                    // An index on a partitioned table is on its partitions.
                    for t in tables.values_mut().filter(|t| {
                        t.name == table || t.partition_of.as_deref() == Some(table.as_str())
                    }) {
                        t.indexes.push(ix.clone());
                    }
                }
                SchemaOp::DropIndex { name } => {
                    let name = name.rsplit('.').next().unwrap_or(&name).to_string();
                    for t in tables.values_mut() {
                        t.indexes
                            .retain(|i| i.name.as_deref() != Some(name.as_str()));
                    }
                }
                SchemaOp::EnableRls { table, force } => {
                    if let Some(t) = tables.get_mut(&table) {
                        if force {
                            t.rls_forced = true;
                        } else {
                            t.rls_enabled = true;
                        }
                    }
                }
                SchemaOp::CreatePolicy { table, text } => {
                    if let Some(t) = tables.get_mut(&table) {
                        t.policies.push(text);
                    }
                }
            }
        }
    }
    Applied {
        tables: tables.into_values().collect(),
    }
}
