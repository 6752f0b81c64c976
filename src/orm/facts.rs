//! What the ORM front ends read from a file: declared tables with their
//! columns, and the names that lead to them (entity re-exports, model
//! structs, relations). Plain data; the tenant model is built from it in
//! `model`.

use crate::diagnostic::Span;

/// One column of a declared table.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ColumnFact {
    /// Name used in Rust code (`kind`, `tenant_id`).
    pub rust: String,
    /// Name in the database (`type`, `tenant_id`).
    pub sql: String,
    /// Where it is declared.
    pub span: Span,
    /// The file of the declaration when it is not the table's (a column
    /// added by a later migration).
    pub file: Option<crate::diagnostic::FileId>,
    /// Whether the column may hold NULL, when the declaration says
    /// (`Nullable<..>`, `Option<..>`, no `NOT NULL`).
    #[serde(default)]
    pub nullable: Option<bool>,
}

/// A foreign key as a declaration states it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ForeignKeyFact {
    /// The referencing table: its SQL name, or (`rust`) the Diesel table
    /// module, SeaORM entity module or Diesel model struct naming it.
    pub table: String,
    /// Referencing columns (SQL names, or Rust names when `rust`).
    pub columns: Vec<String>,
    /// The referenced table, named as `table` is.
    pub target: String,
    /// Referenced columns; empty: the target's primary key.
    pub target_columns: Vec<String>,
    /// Names are Rust names, resolved against the model's modules.
    pub rust: bool,
    /// Where it is declared.
    pub span: Span,
    /// Declaration style.
    pub kind: SourceKind,
}

/// Where a table declaration came from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum SourceKind {
    /// An ORM's declaration (Diesel `table!`, SeaORM `DeriveEntityModel`).
    Orm(crate::orm::Orm),
    /// SQL `CREATE TABLE` (migrations, schema dumps, SQL in Rust strings).
    Sql,
}

/// A table declared in Rust.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TableFact {
    /// Diesel table module name, or SeaORM entity module name.
    pub rust: String,
    /// Table name in the database.
    pub sql: String,
    /// Which declaration style.
    pub kind: SourceKind,
    /// Declared columns.
    pub columns: Vec<ColumnFact>,
    /// Primary-key columns (Rust names), when declared.
    pub primary_key: Vec<String>,
    /// The table's name in the declaration.
    pub span: Span,
    /// Declared in a store without foreign keys (a ClickHouse table): its
    /// parents are inferred from its columns' names.
    #[serde(default)]
    pub keyless: bool,
}

/// What the front ends read from one file's items, besides SQL.
#[derive(Debug, Clone, Default)]
pub struct Declared {
    /// Tables (Diesel `table!`) and entities (SeaORM).
    pub tables: Vec<TableFact>,
    /// `pub use super::m::Entity as Alias`: (alias, entity module).
    pub entity_aliases: Vec<(String, String)>,
    /// Model struct name → table module name (`#[diesel(table_name = ..)]`).
    pub row_structs: Vec<(String, String)>,
    /// `impl Related<m2::Entity> for Entity { fn via() }` in module m1:
    /// (m1, m2), a relation through a link table.
    pub related_via: Vec<(String, String)>,
    /// `enum Relation` variants: (module, variant, target module).
    pub relations: Vec<(String, String, String)>,
    /// Foreign keys (Diesel `joinable!`, `belongs_to`; SeaORM `belongs_to`).
    pub foreign_keys: Vec<ForeignKeyFact>,
}
