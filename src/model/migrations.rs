//! The tenant model from SQL: migrations applied in order (`CREATE TABLE`,
//! `ALTER TABLE .. ADD/DROP/RENAME COLUMN`, `RENAME TO`, `DROP TABLE`), the
//! final state becoming [`TableFact`]s like any other declaration. Also
//! `CREATE TABLE` statements found in string literals of Rust code.

use crate::diagnostic::{FileId, Pos, Span};
use crate::model::schema::{ColumnFact, SourceKind, TableFact};
use crate::parse::Failure;
use crate::sql::{self, DdlOp};
use std::collections::BTreeMap;
use std::ops::Range;

/// Line/column of a byte offset in `text`.
pub fn pos_at(text: &str, offset: usize) -> Pos {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.bytes().filter(|b| *b == b'\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Pos {
        line,
        col: text[line_start..offset].chars().count() as u32,
    }
}

/// Span of a byte range in `text`.
pub fn span_of(text: &str, r: &Range<usize>) -> Span {
    Span {
        start: pos_at(text, r.start),
        end: pos_at(text, r.end),
    }
}

struct Col {
    name: String,
    file: FileId,
    span: Span,
}

struct State {
    file: FileId,
    span: Span,
    columns: Vec<Col>,
    primary_key: Vec<String>,
}

/// The final tables of a migration history, each with the file that
/// created it, and the statements that could not be read.
#[derive(Debug, Default)]
pub struct Applied {
    /// Tables in their final state.
    pub tables: Vec<(FileId, TableFact)>,
    /// Table definitions that could not be read, by file.
    pub failures: Vec<(FileId, Failure)>,
}

/// Applies migration files, given in the order they run, and returns the
/// final tables; statements that create or alter tables but cannot be read
/// are failures of their file.
pub fn apply(files: &[(FileId, &str)]) -> Applied {
    let mut tables: BTreeMap<String, State> = BTreeMap::new();
    let mut failures = Vec::new();
    for (file, text) in files {
        let ddl = sql::ddl(text);
        if let Some((msg, range)) = &ddl.parse_error {
            let piece = text.get(range.clone()).unwrap_or("").to_ascii_lowercase();
            let stmt: Vec<&str> = piece.split_whitespace().take(2).collect();
            if matches!(stmt.as_slice(), ["create", "table"] | ["alter", "table"]) {
                failures.push((
                    *file,
                    Failure {
                        span: span_of(text, range),
                        message: format!("could not read this table definition as SQL: {msg}"),
                    },
                ));
            }
        }
        for op in ddl.ops {
            match op {
                DdlOp::CreateTable {
                    table,
                    range,
                    columns,
                    primary_key,
                    ..
                } => {
                    let cols = columns
                        .into_iter()
                        .map(|(name, r)| Col {
                            name,
                            file: *file,
                            span: span_of(text, &r),
                        })
                        .collect();
                    tables.insert(
                        table,
                        State {
                            file: *file,
                            span: span_of(text, &range),
                            columns: cols,
                            primary_key,
                        },
                    );
                }
                DdlOp::AddColumn {
                    table,
                    column,
                    range,
                } => {
                    if let Some(t) = tables.get_mut(&table) {
                        if !t.columns.iter().any(|c| c.name == column) {
                            t.columns.push(Col {
                                name: column,
                                file: *file,
                                span: span_of(text, &range),
                            });
                        }
                    }
                }
                DdlOp::DropColumn { table, column } => {
                    if let Some(t) = tables.get_mut(&table) {
                        t.columns.retain(|c| c.name != column);
                    }
                }
                DdlOp::RenameColumn { table, from, to } => {
                    if let Some(t) = tables.get_mut(&table) {
                        for c in t.columns.iter_mut().filter(|c| c.name == from) {
                            c.name = to.clone();
                        }
                        for k in t.primary_key.iter_mut().filter(|k| **k == from) {
                            *k = to.clone();
                        }
                    }
                }
                DdlOp::RenameTable { from, to } => {
                    if let Some(t) = tables.remove(&from) {
                        tables.insert(to, t);
                    }
                }
                DdlOp::DropTable { table } => {
                    tables.remove(&table);
                }
                _ => {}
            }
        }
    }
    let tables = tables
        .into_iter()
        .map(|(name, t)| {
            let columns = t
                .columns
                .into_iter()
                .map(|c| ColumnFact {
                    rust: c.name.clone(),
                    sql: c.name,
                    span: c.span,
                    file: Some(c.file),
                })
                .collect();
            (
                t.file,
                TableFact {
                    rust: name.clone(),
                    sql: name,
                    kind: SourceKind::Sql,
                    columns,
                    primary_key: t.primary_key,
                    span: t.span,
                },
            )
        })
        .collect();
    Applied { tables, failures }
}
