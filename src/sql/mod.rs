//! The SQL part of the "parse → model" stage: it reads one SQL text and
//! returns plain facts — which tenant-table instances a statement leaves
//! unbound to one tenant, which INSERTs do not set the tenant column, where
//! the session `search_path` is changed, and (for migrations) the DDL
//! operations in statement order. It knows nothing about Rust source code or
//! output formats; callers supply table knowledge through [`TableInfo`] and
//! turn the returned facts into diagnostics.
//!
//! Parsing uses `sqlparser` with the PostgreSQL dialect, statement by
//! statement; a statement sqlparser rejects is judged by a tolerant token
//! scan instead (see [`Analysis::fallback`]).

mod analyze;
mod ddl;
mod fallback;
mod lexer;
mod pos;
mod search_path;
pub mod text;

use std::ops::Range;

pub use ddl::ddl;

/// What the analysis needs to know about tables. Names are given lowercase
/// and without schema qualification (`public.Documents` → `documents`).
pub trait TableInfo {
    /// Whether the table is tenant-scoped.
    fn is_tenant(&self, table: &str) -> bool;
    /// Whether `column` is a tenant column of `table` (a table may have several).
    fn is_tenant_column(&self, table: &str, column: &str) -> bool;
    /// Whether `column` is one of `table`'s own tenant keys, which an
    /// insert must set: a tenant column that is no parent key of a table
    /// with a tenant key of its own (an insert into `comments` setting
    /// only `document_id` leaves its `org_id` unset).
    fn is_own_key(&self, table: &str, column: &str) -> bool {
        self.is_tenant_column(table, column)
    }
    /// Whether `table` has `column`; None when the table's columns are unknown.
    fn has_column(&self, table: &str, column: &str) -> Option<bool>;
    /// The main tenant column of `table`, for messages.
    fn tenant_column(&self, table: &str) -> Option<String>;
    /// Whether binding tenant table `from` binds tenant table `to` joined
    /// to it by column equality (a child binds not its parent).
    fn binds_into(&self, from: &str, to: &str) -> bool {
        self.is_tenant(from) && self.is_tenant(to)
    }
    /// Whether the table's rows are the tenants (an insert into it sets
    /// no tenant column).
    fn is_root(&self, _table: &str) -> bool {
        false
    }
    /// The position (0-based) of `column` among `table`'s columns in the
    /// order the migrations create them, when known: an `INSERT` without a
    /// column list sets columns by position.
    fn column_position(&self, _table: &str, _column: &str) -> Option<usize> {
        None
    }
}

/// The result of [`analyze`]: findings plus facts about how the text was read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysis {
    /// Tenant-binding problems, in text order.
    pub findings: Vec<SqlFinding>,
    /// true when sqlparser could not parse the text and the tolerant token scan was used
    /// (for at least one of its statements).
    pub fallback: bool,
    /// sqlparser's error message when `fallback` is true (the first one).
    pub parse_error: Option<String>,
    /// session-wide `SET search_path` / `SET SESSION search_path` / `set_config('search_path', .., false)`:
    /// byte range of the offending statement start (e.g. the `SET` keyword through `search_path`)
    pub session_search_path: Vec<Range<usize>>,
}

/// One table instance that is not bound to one tenant, or one INSERT that
/// does not set the tenant column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlFinding {
    /// What is wrong.
    pub kind: FindingKind,
    /// lowercase table name
    pub table: String,
    /// byte range of the table NAME token in the SQL text (the reference in
    /// FROM/JOIN/UPDATE/DELETE FROM/INSERT INTO; for a schema-qualified name,
    /// the whole `public.docs`)
    pub range: Range<usize>,
    /// statement kind keyword: "select" | "update" | "delete" | "insert"
    pub statement: &'static str,
    /// why the binding was lost, lowercase, identifiers in backticks
    pub notes: Vec<String>,
    /// placeholders (`$n`) a column of this table is compared with for
    /// equality on every path: the table is bound after all when the
    /// caller binds a value built from the tenant there
    /// (`stream = $1` with `format!("{org_id}/..")`)
    pub keyed_by: Vec<usize>,
    /// Byte offset of the statement it is in (findings of one statement
    /// share it).
    pub at: usize,
    /// The conditions it is judged by include one built at run time (a
    /// bare placeholder standing for `format!("... WHERE {}", ..)`):
    /// whether they bind the tenant cannot be told.
    pub runtime_condition: bool,
}

/// The kind of a [`SqlFinding`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindingKind {
    /// SELECT/UPDATE/DELETE: this table instance is not bound to one tenant
    Unbound,
    /// INSERT into a tenant table whose column list does not set the tenant
    /// column, or an INSERT without a column list (its columns are implicit,
    /// so the tenant column cannot be seen to be set). An INSERT .. SELECT
    /// whose source is unbound is reported as [`FindingKind::Unbound`] on the
    /// source table instead (in addition to this check of the column list).
    InsertWithoutTenant {
        /// The tenant column that should have been set.
        column: String,
    },
}

/// Analyse every statement of `sql` for tenant-binding problems.
pub fn analyze(sql: &str, tables: &dyn TableInfo) -> Analysis {
    let mut out = Analysis {
        session_search_path: search_path::find(sql),
        ..Analysis::default()
    };
    for piece in lexer::split_statements(sql) {
        match analyze::parse_piece(sql, &piece) {
            Ok(stmts) => {
                let text = sql.get(piece.range.clone()).unwrap_or("");
                let li = pos::Locator::new(text, piece.range.start);
                let mut findings = analyze::analyze_statements(&stmts, tables, &li, sql);
                for f in &mut findings {
                    f.at = piece.range.start;
                }
                out.findings.append(&mut findings);
            }
            Err(e) => {
                out.fallback = true;
                if out.parse_error.is_none() {
                    out.parse_error = Some(e);
                }
                let mut findings = fallback::scan(sql, &piece, tables);
                for f in &mut findings {
                    f.at = piece.range.start;
                }
                out.findings.append(&mut findings);
            }
        }
    }
    out.findings.sort_by_key(|f| (f.range.start, f.range.end));
    out
}

/// DDL in statement order, for building the tenant model from migrations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ddl {
    /// The operations, in statement order.
    pub ops: Vec<SchemaOp<Range<usize>>>,
    /// The first parse error of a DDL statement we care about (CREATE/ALTER/DROP
    /// TABLE, CREATE/DROP INDEX, CREATE POLICY) and that statement's byte range.
    pub parse_error: Option<(String, Range<usize>)>,
}

/// A foreign key: `columns` of the table reference `target`'s
/// `target_columns` (empty: its primary key).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ForeignKey {
    /// Referencing columns, lowercase.
    pub columns: Vec<String>,
    /// Referenced table, lowercase, unqualified.
    pub target: String,
    /// Referenced columns, lowercase; empty when not written.
    pub target_columns: Vec<String>,
    /// The constraint's name, when written (PostgreSQL names an unnamed
    /// one `<table>_<columns>_fkey`).
    #[serde(default)]
    pub name: Option<String>,
}

/// One schema-changing operation of a migration, whether read from SQL
/// (`sql::ddl`, located by byte ranges in the SQL text: `L = Range<usize>`)
/// or from a SeaORM migration's sea-query builders (located in the file:
/// `L = Span`, the default). The one type the tenant model is built from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SchemaOp<L = crate::diagnostic::Span> {
    /// `CREATE TABLE`.
    CreateTable {
        /// lowercase, unqualified table name
        table: String,
        /// byte range of the table name
        span: L,
        /// column names (lowercase) with the byte range of each name
        columns: Vec<(String, L)>,
        /// primary key columns (column-level or table-level), empty if none
        primary_key: Vec<String>,
        /// UNIQUE column sets (column-level and table-level)
        unique: Vec<Vec<String>>,
        /// columns declared `NOT NULL` or in the primary key
        #[serde(default)]
        not_null: Vec<String>,
        /// foreign keys (column-level `REFERENCES` and table-level
        /// `FOREIGN KEY`)
        #[serde(default)]
        foreign_keys: Vec<ForeignKey>,
        /// `PARTITION OF parent`: the parent table (lowercase)
        #[serde(default)]
        partition_of: Option<String>,
        /// Created in a store that has no foreign keys (a ClickHouse
        /// `ENGINE = MergeTree()` table): its parents are known only by
        /// the names of its columns, and a column is NOT NULL unless its
        /// type is `Nullable(..)`.
        #[serde(default)]
        keyless: bool,
    },
    /// `ALTER TABLE .. ADD [COLUMN] [IF NOT EXISTS] ..`.
    AddColumn {
        /// lowercase table name
        table: String,
        /// lowercase column name
        column: String,
        /// byte range of the column name
        span: L,
        /// declared `NOT NULL` (or `PRIMARY KEY`)
        #[serde(default)]
        not_null: bool,
        /// its type is `Nullable(..)` (ClickHouse, where a column without
        /// it is NOT NULL)
        #[serde(default)]
        nullable_type: bool,
    },
    /// `ALTER TABLE .. ADD [CONSTRAINT x] FOREIGN KEY (..) REFERENCES ..`,
    /// or a column added with `REFERENCES`.
    AddForeignKey {
        /// lowercase table name
        table: String,
        /// the key
        fk: ForeignKey,
    },
    /// `ALTER TABLE .. DROP CONSTRAINT name`.
    DropConstraint {
        /// lowercase table name
        table: String,
        /// lowercase constraint name
        name: String,
    },
    /// `ALTER TABLE .. ALTER [COLUMN] c SET|DROP NOT NULL`.
    SetNotNull {
        /// lowercase table name
        table: String,
        /// lowercase column name
        column: String,
        /// `SET NOT NULL` rather than `DROP NOT NULL`
        not_null: bool,
    },
    /// `ALTER TABLE .. DROP [COLUMN] ..` (one op per column).
    DropColumn {
        /// lowercase table name
        table: String,
        /// lowercase column name
        column: String,
    },
    /// `ALTER TABLE .. RENAME [COLUMN] a TO b`.
    RenameColumn {
        /// lowercase table name
        table: String,
        /// old column name
        from: String,
        /// new column name
        to: String,
    },
    /// `ALTER TABLE a RENAME TO b` / `RENAME TABLE a TO b`.
    RenameTable {
        /// old table name
        from: String,
        /// new table name
        to: String,
    },
    /// `DROP TABLE` (one op per table).
    DropTable {
        /// lowercase table name
        table: String,
    },
    /// `CREATE [UNIQUE] INDEX`, and also `ALTER TABLE .. ADD [CONSTRAINT x]
    /// PRIMARY KEY / UNIQUE (..)`, which is reported as a unique, non-partial
    /// index named after the constraint (that is what Postgres creates).
    CreateIndex {
        /// index (or constraint) name, lowercase, unqualified
        name: Option<String>,
        /// lowercase table name
        table: String,
        /// column names, or the expression text for expression columns
        columns: Vec<String>,
        /// `UNIQUE` index / PK / UNIQUE constraint
        unique: bool,
        /// has a `WHERE` predicate
        partial: bool,
        /// byte range of the whole statement
        span: L,
    },
    /// `DROP INDEX` (one op per index).
    DropIndex {
        /// lowercase, unqualified index name
        name: String,
    },
    /// `ALTER TABLE .. ENABLE ROW LEVEL SECURITY` (`force: false`) or
    /// `.. FORCE ROW LEVEL SECURITY` (`force: true`).
    EnableRls {
        /// lowercase table name
        table: String,
        /// FORCE rather than ENABLE
        force: bool,
    },
    /// `CREATE POLICY .. ON t ..`.
    CreatePolicy {
        /// lowercase table name
        table: String,
        /// the statement text as written
        text: String,
    },
}

impl<L> SchemaOp<L> {
    /// The same operation with its locations mapped by `f` (byte ranges in
    /// the SQL text to positions in the file).
    pub fn map_span<M>(self, mut f: impl FnMut(L) -> M) -> SchemaOp<M> {
        match self {
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
            } => SchemaOp::CreateTable {
                table,
                span: f(span),
                columns: columns.into_iter().map(|(c, r)| (c, f(r))).collect(),
                primary_key,
                unique,
                not_null,
                foreign_keys,
                partition_of,
                keyless,
            },
            SchemaOp::AddColumn {
                table,
                column,
                span,
                not_null,
                nullable_type,
            } => SchemaOp::AddColumn {
                table,
                column,
                span: f(span),
                not_null,
                nullable_type,
            },
            SchemaOp::AddForeignKey { table, fk } => SchemaOp::AddForeignKey { table, fk },
            SchemaOp::DropConstraint { table, name } => SchemaOp::DropConstraint { table, name },
            SchemaOp::SetNotNull {
                table,
                column,
                not_null,
            } => SchemaOp::SetNotNull {
                table,
                column,
                not_null,
            },
            SchemaOp::DropColumn { table, column } => SchemaOp::DropColumn { table, column },
            SchemaOp::RenameColumn { table, from, to } => {
                SchemaOp::RenameColumn { table, from, to }
            }
            SchemaOp::RenameTable { from, to } => SchemaOp::RenameTable { from, to },
            SchemaOp::DropTable { table } => SchemaOp::DropTable { table },
            SchemaOp::CreateIndex {
                name,
                table,
                columns,
                unique,
                partial,
                span,
            } => SchemaOp::CreateIndex {
                name,
                table,
                columns,
                unique,
                partial,
                span: f(span),
            },
            SchemaOp::DropIndex { name } => SchemaOp::DropIndex { name },
            SchemaOp::EnableRls { table, force } => SchemaOp::EnableRls { table, force },
            SchemaOp::CreatePolicy { table, text } => SchemaOp::CreatePolicy { table, text },
        }
    }
}

/// The positional `?` placeholders before byte `i` of `sql`: not
/// ClickHouse's `?fields`, which a `?` directly followed by a word is.
pub(crate) fn positional_placeholders_before(sql: &str, i: usize) -> usize {
    let b = sql.as_bytes();
    b[..i]
        .iter()
        .enumerate()
        .filter(|(j, c)| {
            **c == b'?'
                && !b
                    .get(j + 1)
                    .is_some_and(|n| n.is_ascii_alphabetic() || *n == b'_')
        })
        .count()
}

#[cfg(test)]
mod tests;
