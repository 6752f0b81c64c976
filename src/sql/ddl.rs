//! DDL extraction for building the tenant model from migrations.
//!
//! The text is split on top-level `;` and each statement is parsed on its
//! own, so one statement sqlparser cannot parse (a `DO $$ .. $$` block, a
//! `CREATE FUNCTION` with an unusual body) does not hide its neighbours. A
//! `CREATE TABLE` or `ALTER TABLE .. ADD COLUMN` / `ENABLE|FORCE ROW LEVEL
//! SECURITY` that sqlparser rejects is still read by a small token scan.

use super::analyze::parse_ddl;
use super::lexer::{split_statements, Kind, Piece, Tok};
use super::pos::Locator;
use super::{Ddl, ForeignKey, SchemaOp};
use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, ColumnOption, Expr, ForeignKeyConstraint,
    IndexColumn, ObjectName, ObjectNamePart, ObjectType, RenameTableNameKind, Statement,
    TableConstraint,
};
use std::ops::Range;

/// DDL in statement order, for building the tenant model from migrations.
///
/// `ALTER TABLE .. ADD [CONSTRAINT x] PRIMARY KEY (..)` / `UNIQUE (..)` is
/// reported as [`SchemaOp::CreateIndex`] with `unique: true` (Postgres backs
/// these constraints with a unique index). `parse_error` holds the first
/// error of a statement that matters for the model (CREATE/ALTER/DROP TABLE,
/// CREATE/DROP INDEX, CREATE POLICY); errors in other statements (functions,
/// `DO` blocks, grants, ...) are not reported.
pub fn ddl(sql: &str) -> Ddl {
    let mut out = Ddl::default();
    for piece in split_statements(sql) {
        let before = out.ops.len();
        let had_error = out.parse_error.is_some();
        read_piece(sql, &piece, &mut out);
        let clickhouse = clickhouse_marks(sql, &piece.toks, &mut out.ops[before..]);
        // ClickHouse DDL is often beyond sqlparser (`PARTITION BY`,
        // `Array(String)`, trailing commas); a table the token reading took
        // in whole is read (it has no keys or constraints to miss).
        if clickhouse && !had_error {
            out.parse_error = None;
        }
    }
    out
}

/// ClickHouse engines: the `MergeTree` and `Log` families and the others
/// a table is created with (`ENGINE = ReplacingMergeTree(..)`). MySQL's
/// `ENGINE=InnoDB` is none of them.
fn clickhouse_engine(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.ends_with("mergetree")
        || n.ends_with("log")
        || matches!(
            n.as_str(),
            "distributed" | "buffer" | "kafka" | "null" | "join" | "set" | "dictionary"
        )
}

/// Marks what ClickHouse DDL means for the model: a table created with a
/// ClickHouse engine is `keyless` (the store has no foreign keys) and its
/// columns are NOT NULL unless typed `Nullable(..)`; a column added with
/// `Nullable(..)` says so (`nullable_type`), whatever the table. Whether
/// the statement created a ClickHouse table.
fn clickhouse_marks(sql: &str, t: &[Tok], ops: &mut [SchemaOp<Range<usize>>]) -> bool {
    let named = t.windows(3).any(|w| {
        w[0].is_kw(sql, "engine")
            && w[1].kind == Kind::Op
            && w[1].text(sql) == "="
            && w[2].kind == Kind::Word
            && clickhouse_engine(w[2].text(sql))
    });
    // With the server's default engine, `ORDER BY` after the column list
    // (outside any parentheses, and no `AS SELECT`) says MergeTree.
    let mut depth = 0usize;
    let mut select = false;
    let mut ordered = false;
    for (i, x) in t.iter().enumerate() {
        match x.kind {
            Kind::LParen => depth += 1,
            Kind::RParen => depth = depth.saturating_sub(1),
            _ if depth == 0 && (x.is_kw(sql, "as") || x.is_kw(sql, "select")) => select = true,
            _ if depth == 0
                && x.is_kw(sql, "order")
                && t.get(i + 1).is_some_and(|y| y.is_kw(sql, "by")) =>
            {
                ordered = true;
            }
            _ => {}
        }
    }
    let creates = t.first().is_some_and(|x| x.is_kw(sql, "create"));
    let engine = named || (creates && ordered && !select);
    // The type of the column whose name is the token starting at `at`.
    let nullable_at = |at: usize| {
        t.iter()
            .position(|x| x.start == at)
            .and_then(|i| t.get(i + 1))
            .is_some_and(|x| x.is_kw(sql, "nullable"))
    };
    for op in ops.iter_mut() {
        match op {
            SchemaOp::CreateTable {
                columns,
                not_null,
                keyless,
                ..
            } if engine => {
                *keyless = true;
                for (c, r) in columns.iter() {
                    if !nullable_at(r.start) && !not_null.contains(c) {
                        not_null.push(c.clone());
                    }
                }
            }
            SchemaOp::AddColumn {
                span,
                nullable_type,
                ..
            } => *nullable_type = nullable_at(span.start),
            _ => {}
        }
    }
    engine
        && ops
            .iter()
            .any(|o| matches!(o, SchemaOp::CreateTable { keyless: true, .. }))
}

/// The DDL of one statement, parsed or read from its tokens.
fn read_piece(sql: &str, piece: &super::lexer::Piece, out: &mut Ddl) {
    {
        let text = sql.get(piece.range.clone()).unwrap_or("");
        if lead_words(sql, &piece.toks)
            .first()
            .is_some_and(|w| w == "do")
        {
            do_block(sql, &piece.toks, &mut out.ops);
            return;
        }
        match parse_ddl(text) {
            Ok(stmts) => {
                let li = Locator::new(text, piece.range.start);
                for s in &stmts {
                    ops_of(s, &li, sql, piece, &mut out.ops);
                }
            }
            Err(e) => {
                if relevant(sql, &piece.toks) {
                    if out.parse_error.is_none() {
                        out.parse_error = Some((e, piece.range.clone()));
                    }
                    token_fallback(sql, &piece.toks, &mut out.ops);
                } else if lead_words(sql, &piece.toks)
                    .first()
                    .is_some_and(|w| w == "alter")
                {
                    // Nothing it holds needs reporting; what the fallback
                    // reads of it still counts.
                    token_fallback(sql, &piece.toks, &mut out.ops);
                }
            }
        }
    }
}

fn lower(s: &str) -> String {
    s.to_lowercase()
}

fn last_name(n: &ObjectName) -> String {
    n.0.iter()
        .rev()
        .find_map(|p| match p {
            ObjectNamePart::Identifier(i) => Some(lower(&i.value)),
            _ => None,
        })
        .unwrap_or_default()
}

fn name_range(n: &ObjectName, li: &Locator<'_>) -> Option<Range<usize>> {
    let idents: Vec<_> =
        n.0.iter()
            .filter_map(|p| match p {
                ObjectNamePart::Identifier(i) => Some(i),
                _ => None,
            })
            .collect();
    let s = li.range(idents.first()?.span)?;
    let e = li.range(idents.last()?.span)?;
    Some(s.start..e.end)
}

fn index_columns(cols: &[IndexColumn]) -> Vec<String> {
    cols.iter()
        .map(|c| match &c.column.expr {
            Expr::Identifier(i) => lower(&i.value),
            e => e.to_string(),
        })
        .collect()
}

/// A foreign key as written; `own` is the column a column-level
/// `REFERENCES` sits on.
fn foreign_key(fk: &ForeignKeyConstraint, own: Option<&str>) -> ForeignKey {
    let mut columns: Vec<String> = fk.columns.iter().map(|c| lower(&c.value)).collect();
    if columns.is_empty() {
        columns.extend(own.map(str::to_string));
    }
    ForeignKey {
        columns,
        target: last_name(&fk.foreign_table),
        target_columns: fk
            .referred_columns
            .iter()
            .map(|c| lower(&c.value))
            .collect(),
        name: fk.name.as_ref().map(|n| lower(&n.value)),
    }
}

fn ops_of(
    s: &Statement,
    li: &Locator<'_>,
    sql: &str,
    piece: &Piece,
    ops: &mut Vec<SchemaOp<Range<usize>>>,
) {
    let stmt_range = piece.range.clone();
    match s {
        Statement::CreateTable(ct) => {
            let table = last_name(&ct.name);
            let range = name_range(&ct.name, li).unwrap_or(stmt_range.start..stmt_range.start);
            let mut columns = Vec::new();
            let mut primary_key = Vec::new();
            let mut unique = Vec::new();
            let mut not_null = Vec::new();
            let mut foreign_keys = Vec::new();
            for c in &ct.columns {
                let col = lower(&c.name.value);
                let r = li.range(c.name.span).unwrap_or(range.clone());
                for o in &c.options {
                    match &o.option {
                        ColumnOption::PrimaryKey(_) => primary_key = vec![col.clone()],
                        ColumnOption::Unique(_) => unique.push(vec![col.clone()]),
                        ColumnOption::NotNull => not_null.push(col.clone()),
                        ColumnOption::ForeignKey(fk) => {
                            foreign_keys.push(foreign_key(fk, Some(&col)));
                        }
                        _ => {}
                    }
                }
                columns.push((col, r));
            }
            for tc in &ct.constraints {
                match tc {
                    TableConstraint::PrimaryKey(pk) => primary_key = index_columns(&pk.columns),
                    TableConstraint::Unique(u) => unique.push(index_columns(&u.columns)),
                    TableConstraint::ForeignKey(fk) => foreign_keys.push(foreign_key(fk, None)),
                    _ => {}
                }
            }
            for c in &primary_key {
                if !not_null.contains(c) {
                    not_null.push(c.clone());
                }
            }
            ops.push(SchemaOp::CreateTable {
                table,
                span: range,
                columns,
                primary_key,
                unique,
                not_null,
                foreign_keys,
                partition_of: ct.partition_of.as_ref().map(last_name),
                keyless: false,
            });
        }
        Statement::AlterTable(at) => {
            let table = last_name(&at.name);
            for op in &at.operations {
                match op {
                    AlterTableOperation::AddColumn { column_def, .. } => {
                        let range = li
                            .range(column_def.name.span)
                            .unwrap_or(stmt_range.start..stmt_range.start);
                        let column = lower(&column_def.name.value);
                        let not_null = column_def.options.iter().any(|o| {
                            matches!(
                                o.option,
                                ColumnOption::NotNull | ColumnOption::PrimaryKey(_)
                            )
                        });
                        ops.push(SchemaOp::AddColumn {
                            table: table.clone(),
                            column: column.clone(),
                            span: range,
                            not_null,
                            nullable_type: false,
                        });
                        for o in &column_def.options {
                            if let ColumnOption::ForeignKey(fk) = &o.option {
                                ops.push(SchemaOp::AddForeignKey {
                                    table: table.clone(),
                                    fk: foreign_key(fk, Some(&column)),
                                });
                            }
                        }
                    }
                    AlterTableOperation::DropConstraint { name, .. } => {
                        ops.push(SchemaOp::DropConstraint {
                            table: table.clone(),
                            name: lower(&name.value),
                        });
                    }
                    AlterTableOperation::AlterColumn { column_name, op } => {
                        let not_null = match op {
                            AlterColumnOperation::SetNotNull => true,
                            AlterColumnOperation::DropNotNull => false,
                            _ => continue,
                        };
                        ops.push(SchemaOp::SetNotNull {
                            table: table.clone(),
                            column: lower(&column_name.value),
                            not_null,
                        });
                    }
                    AlterTableOperation::DropColumn { column_names, .. } => {
                        for c in column_names {
                            ops.push(SchemaOp::DropColumn {
                                table: table.clone(),
                                column: lower(&c.value),
                            });
                        }
                    }
                    AlterTableOperation::RenameColumn {
                        old_column_name,
                        new_column_name,
                    } => {
                        ops.push(SchemaOp::RenameColumn {
                            table: table.clone(),
                            from: lower(&old_column_name.value),
                            to: lower(&new_column_name.value),
                        });
                    }
                    AlterTableOperation::RenameTable { table_name } => {
                        let (RenameTableNameKind::As(n) | RenameTableNameKind::To(n)) = table_name;
                        ops.push(SchemaOp::RenameTable {
                            from: table.clone(),
                            to: last_name(n),
                        });
                    }
                    AlterTableOperation::EnableRowLevelSecurity => {
                        ops.push(SchemaOp::EnableRls {
                            table: table.clone(),
                            force: false,
                        });
                    }
                    AlterTableOperation::ForceRowLevelSecurity => {
                        ops.push(SchemaOp::EnableRls {
                            table: table.clone(),
                            force: true,
                        });
                    }
                    AlterTableOperation::AddConstraint { constraint, .. } => {
                        if let TableConstraint::ForeignKey(fk) = constraint {
                            ops.push(SchemaOp::AddForeignKey {
                                table: table.clone(),
                                fk: foreign_key(fk, None),
                            });
                            continue;
                        }
                        let (name, cols) = match constraint {
                            TableConstraint::PrimaryKey(pk) => {
                                (&pk.name, index_columns(&pk.columns))
                            }
                            TableConstraint::Unique(u) => (&u.name, index_columns(&u.columns)),
                            _ => continue,
                        };
                        ops.push(SchemaOp::CreateIndex {
                            name: name.as_ref().map(|n| lower(&n.value)),
                            table: table.clone(),
                            columns: cols,
                            unique: true,
                            partial: false,
                            span: stmt_range.clone(),
                        });
                    }
                    _ => {}
                }
            }
        }
        Statement::RenameTable(v) => {
            for r in v {
                ops.push(SchemaOp::RenameTable {
                    from: last_name(&r.old_name),
                    to: last_name(&r.new_name),
                });
            }
        }
        Statement::Drop {
            object_type, names, ..
        } => match object_type {
            ObjectType::Table => {
                for n in names {
                    ops.push(SchemaOp::DropTable {
                        table: last_name(n),
                    });
                }
            }
            ObjectType::Index => {
                for n in names {
                    ops.push(SchemaOp::DropIndex { name: last_name(n) });
                }
            }
            _ => {}
        },
        Statement::CreateIndex(ci) => {
            ops.push(SchemaOp::CreateIndex {
                name: ci.name.as_ref().map(last_name),
                table: last_name(&ci.table_name),
                columns: index_columns(&ci.columns),
                unique: ci.unique,
                partial: ci.predicate.is_some(),
                span: stmt_range,
            });
        }
        Statement::CreatePolicy(cp) => {
            ops.push(SchemaOp::CreatePolicy {
                table: last_name(&cp.table_name),
                text: sql.get(stmt_range).unwrap_or("").to_string(),
            });
        }
        _ => {}
    }
}

/// `DO $$ BEGIN .. CREATE TABLE ..; CREATE INDEX ..; .. END $$`: the DDL
/// statements of the block's body, wherever they start in its PL/pgSQL
/// statements (`IF .. THEN CREATE TABLE ..`). A block usually guards its
/// DDL (`IF NOT EXISTS`, `EXCEPTION WHEN ..`), so what it cannot parse is
/// not a `parse-error`.
fn do_block(sql: &str, toks: &[Tok], ops: &mut Vec<SchemaOp<Range<usize>>>) {
    let Some(body) = toks
        .iter()
        .find(|t| t.kind == Kind::Str && sql.as_bytes().get(t.start) == Some(&b'$'))
    else {
        return;
    };
    let quoted = &sql[body.start..body.end];
    // `$tag$ .. $tag$`
    let Some(tag_len) = quoted[1..].find('$').map(|i| i + 2) else {
        return;
    };
    if quoted.len() < 2 * tag_len {
        return;
    }
    let inner_start = body.start + tag_len;
    let inner = &sql[inner_start..body.end - tag_len];
    for piece in split_statements(inner) {
        let starts_ddl = |i: usize| {
            let t = &piece.toks[i];
            let next = piece
                .toks
                .get(i + 1)
                .map(|x| x.text(inner).to_ascii_lowercase());
            let next2 = piece
                .toks
                .get(i + 2)
                .map(|x| x.text(inner).to_ascii_lowercase());
            let kw = t.text(inner).to_ascii_lowercase();
            t.kind == Kind::Word
                && matches!(kw.as_str(), "create" | "alter" | "drop")
                && (matches!(next.as_deref(), Some("table" | "index"))
                    || (next.as_deref() == Some("unique") && next2.as_deref() == Some("index")))
        };
        let Some(first) = (0..piece.toks.len()).find(|&i| starts_ddl(i)) else {
            continue;
        };
        let from = piece.toks[first].start;
        let Some(stmt) = inner.get(from..piece.range.end) else {
            continue;
        };
        let offset = inner_start + from;
        for op in ddl(stmt).ops {
            ops.push(op.map_span(|r| r.start + offset..r.end + offset));
        }
    }
}

/// The leading run of words of a statement, lowercase.
fn lead_words(sql: &str, t: &[Tok]) -> Vec<String> {
    t.iter()
        .take_while(|x| x.kind == Kind::Word)
        .take(8)
        .map(|x| x.text(sql).to_lowercase())
        .collect()
}

fn relevant(sql: &str, t: &[Tok]) -> bool {
    let w = lead_words(sql, t);
    let has = |k: &str| w.iter().take(6).any(|x| x == k);
    match w.first().map(String::as_str) {
        Some("create") => {
            !has("function") && !has("procedure") && (has("table") || has("index") || has("policy"))
        }
        Some("alter") => w.get(1).is_some_and(|x| x == "table") && alters_the_model(sql, t),
        Some("drop") => w.get(1).is_some_and(|x| x == "table" || x == "index"),
        _ => false,
    }
}

/// Whether an `ALTER TABLE` sqlparser rejects holds an action that could
/// change the tenant model and that the token fallback does not read:
/// renames, and primary-key, unique or exclusion constraints. Adding or
/// dropping columns, foreign keys and NOT NULL, and row-level security
/// are read by the fallback; changing a column's type, default or
/// collation, a constraint's timing, a `CHECK`, the owner or storage
/// cannot change the model. So such a statement is no `parse-error`.
fn alters_the_model(sql: &str, t: &[Tok]) -> bool {
    let Some((_, actions)) = alter_actions(sql, t) else {
        return true;
    };
    actions.iter().any(|a| {
        let word = |k: usize| a.get(k).map(|y| y.text(sql).to_ascii_lowercase());
        match word(0).as_deref() {
            Some("add") => {
                let k = if word(1).as_deref() == Some("constraint") {
                    3
                } else {
                    1
                };
                matches!(word(k).as_deref(), Some("primary" | "unique" | "exclude"))
            }
            Some("rename") => true,
            _ => false,
        }
    })
}

/// `ALTER TABLE [IF EXISTS] [ONLY] name action, action, ..`: the table and
/// the actions' tokens (split on top-level commas).
fn alter_actions<'t>(sql: &str, t: &'t [Tok]) -> Option<(String, Vec<&'t [Tok]>)> {
    let mut j = skip_if_exists(sql, t, 2);
    if t.get(j).is_some_and(|x| x.is_kw(sql, "only")) {
        j += 1;
    }
    let (table, _, j) = read_name(sql, t, j)?;
    let mut actions: Vec<&[Tok]> = Vec::new();
    let mut d = 0usize;
    let mut start = j;
    for (i, x) in t.iter().enumerate().skip(j) {
        match x.kind {
            Kind::LParen => d += 1,
            Kind::RParen => d = d.saturating_sub(1),
            Kind::Comma if d == 0 => {
                actions.push(t.get(start..i).unwrap_or(&[]));
                start = i + 1;
            }
            _ => {}
        }
    }
    actions.push(t.get(start..).unwrap_or(&[]));
    Some((table, actions))
}

/// Read a possibly qualified name at `j`: (last part, range, next index).
fn read_name(sql: &str, t: &[Tok], mut j: usize) -> Option<(String, Range<usize>, usize)> {
    let first = t
        .get(j)
        .filter(|x| matches!(x.kind, Kind::Word | Kind::QuotedIdent))?;
    let mut last = first;
    j += 1;
    while t.get(j).is_some_and(|x| x.kind == Kind::Dot)
        && t.get(j + 1)
            .is_some_and(|x| matches!(x.kind, Kind::Word | Kind::QuotedIdent))
    {
        last = &t[j + 1];
        j += 2;
    }
    Some((last.ident(sql)?, first.start..last.end, j))
}

/// Skip `IF [NOT] EXISTS` at `j`.
fn skip_if_exists(sql: &str, t: &[Tok], mut j: usize) -> usize {
    if t.get(j).is_some_and(|x| x.is_kw(sql, "if")) {
        j += 1;
        if t.get(j).is_some_and(|x| x.is_kw(sql, "not")) {
            j += 1;
        }
        if t.get(j).is_some_and(|x| x.is_kw(sql, "exists")) {
            j += 1;
        }
    }
    j
}

/// Split the tokens of a parenthesised list starting at `open` into its
/// top-level elements.
fn paren_elements(t: &[Tok], open: usize) -> Vec<&[Tok]> {
    let mut out = Vec::new();
    let mut d = 0usize;
    let mut start = open + 1;
    for (i, x) in t.iter().enumerate().skip(open) {
        match x.kind {
            Kind::LParen => d += 1,
            Kind::RParen => {
                d = d.saturating_sub(1);
                if d == 0 {
                    if let Some(s) = t.get(start..i) {
                        out.push(s);
                    }
                    return out;
                }
            }
            Kind::Comma if d == 1 => {
                if let Some(s) = t.get(start..i) {
                    out.push(s);
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    if let Some(s) = t.get(start..) {
        out.push(s);
    }
    out
}

fn name_list(sql: &str, t: &[Tok], open: usize) -> Vec<String> {
    paren_elements(t, open)
        .into_iter()
        .filter_map(|e| e.first().and_then(|x| x.ident(sql)))
        .collect()
}

/// `REFERENCES target [(cols)]` at the top level of `el`, from `from` on:
/// the target and its columns.
fn references_at(sql: &str, el: &[Tok], from: usize) -> Option<(String, Vec<String>)> {
    let mut d = 0usize;
    for (i, x) in el.iter().enumerate().skip(from) {
        match x.kind {
            Kind::LParen => d += 1,
            Kind::RParen => d = d.saturating_sub(1),
            _ if d == 0 && x.is_kw(sql, "references") => {
                let (target, _, j) = read_name(sql, el, i + 1)?;
                let cols = if el.get(j).is_some_and(|x| x.kind == Kind::LParen) {
                    name_list(sql, el, j)
                } else {
                    Vec::new()
                };
                return Some((target.to_lowercase(), cols));
            }
            _ => {}
        }
    }
    None
}

/// Whether `el` says `NOT NULL` or `PRIMARY KEY` at its top level.
fn says_not_null(sql: &str, el: &[Tok]) -> bool {
    let mut d = 0usize;
    el.iter().enumerate().any(|(i, x)| {
        match x.kind {
            Kind::LParen => d += 1,
            Kind::RParen => d = d.saturating_sub(1),
            _ => {}
        }
        d == 0
            && ((x.is_kw(sql, "not") && el.get(i + 1).is_some_and(|y| y.is_kw(sql, "null")))
                || (x.is_kw(sql, "primary") && el.get(i + 1).is_some_and(|y| y.is_kw(sql, "key"))))
    })
}

/// A table-level `[CONSTRAINT name] FOREIGN KEY (cols) REFERENCES target
/// (cols)` whose `FOREIGN` keyword is at `k`.
fn table_foreign_key(sql: &str, el: &[Tok], k: usize) -> Option<ForeignKey> {
    let name = k
        .checked_sub(2)
        .filter(|&c| el.get(c).is_some_and(|x| x.is_kw(sql, "constraint")))
        .and_then(|c| el.get(c + 1))
        .and_then(|x| x.ident(sql))
        .map(|n| n.to_lowercase());
    let open = el.iter().skip(k).position(|x| x.kind == Kind::LParen)? + k;
    let columns = name_list(sql, el, open);
    let (target, target_columns) = references_at(sql, el, open)?;
    Some(ForeignKey {
        columns: columns.iter().map(|c| c.to_lowercase()).collect(),
        target,
        target_columns: target_columns.iter().map(|c| c.to_lowercase()).collect(),
        name,
    })
}

fn token_fallback(sql: &str, t: &[Tok], ops: &mut Vec<SchemaOp<Range<usize>>>) {
    let w = lead_words(sql, t);
    if w.first().is_some_and(|x| x == "create") {
        let Some(pos) = t.iter().take(6).position(|x| x.is_kw(sql, "table")) else {
            return;
        };
        let j = skip_if_exists(sql, t, pos + 1);
        let Some((table, range, j)) = read_name(sql, t, j) else {
            return;
        };
        let mut columns = Vec::new();
        let mut primary_key = Vec::new();
        let mut unique = Vec::new();
        let mut not_null = Vec::new();
        let mut foreign_keys = Vec::new();
        if t.get(j).is_some_and(|x| x.kind == Kind::LParen) {
            for el in paren_elements(t, j) {
                let mut k = 0;
                if el.first().is_some_and(|x| x.is_kw(sql, "constraint")) {
                    k = 2;
                }
                let Some(head) = el.get(k) else { continue };
                let open_after = |from: usize| {
                    el.iter()
                        .skip(from)
                        .position(|x| x.kind == Kind::LParen)
                        .map(|p| p + from)
                };
                if head.is_kw(sql, "primary") {
                    if let Some(o) = open_after(k) {
                        primary_key = name_list(sql, el, o);
                    }
                } else if head.is_kw(sql, "unique") {
                    if let Some(o) = open_after(k) {
                        unique.push(name_list(sql, el, o));
                    }
                } else if head.is_kw(sql, "foreign") {
                    foreign_keys.extend(table_foreign_key(sql, el, k));
                } else if ["check", "exclude", "like"]
                    .iter()
                    .any(|kw| head.is_kw(sql, kw))
                {
                } else if let Some(col) = head.ident(sql) {
                    if says_not_null(sql, el) {
                        not_null.push(col.clone());
                    }
                    if let Some((target, target_columns)) = references_at(sql, el, 1) {
                        foreign_keys.push(ForeignKey {
                            columns: vec![col.clone()],
                            target,
                            target_columns,
                            name: None,
                        });
                    }
                    let mut d = 0usize;
                    for (i, x) in el.iter().enumerate() {
                        match x.kind {
                            Kind::LParen => d += 1,
                            Kind::RParen => d = d.saturating_sub(1),
                            _ if d == 0
                                && x.is_kw(sql, "primary")
                                && el.get(i + 1).is_some_and(|y| y.is_kw(sql, "key")) =>
                            {
                                primary_key = vec![col.clone()];
                            }
                            _ if d == 0 && x.is_kw(sql, "unique") => unique.push(vec![col.clone()]),
                            _ => {}
                        }
                    }
                    columns.push((col, head.start..head.end));
                }
            }
        }
        for c in &primary_key {
            if !not_null.contains(c) {
                not_null.push(c.clone());
            }
        }
        // `PARTITION OF parent` right after the name.
        let partition_of = (t.get(j).is_some_and(|x| x.is_kw(sql, "partition"))
            && t.get(j + 1).is_some_and(|x| x.is_kw(sql, "of")))
        .then(|| read_name(sql, t, j + 2))
        .flatten()
        .map(|(n, ..)| n.to_lowercase());
        ops.push(SchemaOp::CreateTable {
            table,
            span: range,
            columns,
            primary_key,
            unique,
            not_null,
            foreign_keys,
            partition_of,
            keyless: false,
        });
    } else if w.first().is_some_and(|x| x == "alter") {
        let Some((table, actions)) = alter_actions(sql, t) else {
            return;
        };
        for a in actions {
            let first = a.first();
            if first.is_some_and(|x| x.is_kw(sql, "add")) {
                let mut k = 1;
                if a.get(k).is_some_and(|x| x.is_kw(sql, "column")) {
                    k += 1;
                }
                let k = skip_if_exists(sql, a, k);
                let Some(c) = a.get(k) else { continue };
                let fk_at = if c.is_kw(sql, "constraint") { k + 2 } else { k };
                if a.get(fk_at).is_some_and(|x| x.is_kw(sql, "foreign")) {
                    if let Some(fk) = table_foreign_key(sql, a, fk_at) {
                        ops.push(SchemaOp::AddForeignKey {
                            table: table.clone(),
                            fk,
                        });
                    }
                    continue;
                }
                if [
                    "constraint",
                    "primary",
                    "unique",
                    "foreign",
                    "check",
                    "exclude",
                ]
                .iter()
                .any(|kw| c.is_kw(sql, kw))
                {
                    continue;
                }
                if let Some(col) = c.ident(sql) {
                    let rest = a.get(k..).unwrap_or(&[]);
                    ops.push(SchemaOp::AddColumn {
                        table: table.clone(),
                        column: col.clone(),
                        span: c.start..c.end,
                        not_null: says_not_null(sql, rest),
                        nullable_type: false,
                    });
                    if let Some((target, target_columns)) = references_at(sql, rest, 1) {
                        ops.push(SchemaOp::AddForeignKey {
                            table: table.clone(),
                            fk: ForeignKey {
                                columns: vec![col],
                                target,
                                target_columns,
                                name: None,
                            },
                        });
                    }
                }
            } else if first.is_some_and(|x| x.is_kw(sql, "drop")) {
                // DROP CONSTRAINT name | DROP [COLUMN] [IF EXISTS] name
                if a.get(1).is_some_and(|x| x.is_kw(sql, "constraint")) {
                    let k = skip_if_exists(sql, a, 2);
                    if let Some(name) = a.get(k).and_then(|x| x.ident(sql)) {
                        ops.push(SchemaOp::DropConstraint {
                            table: table.clone(),
                            name: name.to_lowercase(),
                        });
                    }
                } else {
                    let k = usize::from(a.get(1).is_some_and(|x| x.is_kw(sql, "column"))) + 1;
                    let k = skip_if_exists(sql, a, k);
                    if let Some(col) = a.get(k).and_then(|x| x.ident(sql)) {
                        ops.push(SchemaOp::DropColumn {
                            table: table.clone(),
                            column: col.to_lowercase(),
                        });
                    }
                }
            } else if first.is_some_and(|x| x.is_kw(sql, "alter")) {
                // ALTER [COLUMN] c SET|DROP NOT NULL
                let k = usize::from(a.get(1).is_some_and(|x| x.is_kw(sql, "column"))) + 1;
                let col = a.get(k).and_then(|x| x.ident(sql));
                let kw = |i: usize, w: &str| a.get(k + i).is_some_and(|x| x.is_kw(sql, w));
                if let Some(col) = col.filter(|_| kw(2, "not") && kw(3, "null")) {
                    if kw(1, "set") || kw(1, "drop") {
                        ops.push(SchemaOp::SetNotNull {
                            table: table.clone(),
                            column: col.to_lowercase(),
                            not_null: kw(1, "set"),
                        });
                    }
                }
            } else if first.is_some_and(|x| x.is_kw(sql, "enable") || x.is_kw(sql, "force"))
                && a.get(1).is_some_and(|x| x.is_kw(sql, "row"))
            {
                let force = first.is_some_and(|x| x.is_kw(sql, "force"));
                ops.push(SchemaOp::EnableRls {
                    table: table.clone(),
                    force,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(sql: &str) -> Vec<SchemaOp<Range<usize>>> {
        let d = ddl(sql);
        assert!(d.parse_error.is_none(), "{:?}", d.parse_error);
        d.ops
    }

    #[test]
    fn create_alter_rename_drop_sequence() {
        let sql = "CREATE TABLE IF NOT EXISTS public.\"Documents\" (\n  id uuid PRIMARY KEY,\n  title text NOT NULL UNIQUE\n);\n\
                   ALTER TABLE documents ADD COLUMN org_id uuid NOT NULL;\n\
                   ALTER TABLE documents ADD IF NOT EXISTS project_id uuid, DROP COLUMN title;\n\
                   ALTER TABLE documents RENAME COLUMN project_id TO folder_id;\n\
                   ALTER TABLE documents RENAME TO docs;\n\
                   DROP TABLE IF EXISTS docs, other CASCADE;";
        let got = ops(sql);
        assert_eq!(got.len(), 8, "{got:#?}");
        match &got[0] {
            SchemaOp::CreateTable {
                table,
                span: range,
                columns,
                primary_key,
                unique,
                not_null,
                foreign_keys,
                partition_of,
                keyless,
            } => {
                assert!(!keyless);
                assert_eq!(partition_of, &None);
                assert_eq!(table, "documents");
                assert_eq!(not_null, &["title", "id"]);
                assert!(foreign_keys.is_empty());
                assert_eq!(&sql[range.clone()], "public.\"Documents\"");
                let names: Vec<&str> = columns.iter().map(|(c, _)| c.as_str()).collect();
                assert_eq!(names, vec!["id", "title"]);
                assert_eq!(&sql[columns[1].1.clone()], "title");
                assert_eq!(primary_key, &vec!["id".to_string()]);
                assert_eq!(unique, &vec![vec!["title".to_string()]]);
            }
            o => panic!("{o:?}"),
        }
        match &got[1] {
            SchemaOp::AddColumn {
                table,
                column,
                span: range,
                not_null,
                ..
            } => {
                assert!(not_null);
                assert_eq!((table.as_str(), column.as_str()), ("documents", "org_id"));
                assert_eq!(&sql[range.clone()], "org_id");
            }
            o => panic!("{o:?}"),
        }
        assert!(matches!(&got[2], SchemaOp::AddColumn { column, .. } if column == "project_id"));
        assert_eq!(
            got[3],
            SchemaOp::DropColumn {
                table: "documents".into(),
                column: "title".into()
            }
        );
        assert_eq!(
            got[4],
            SchemaOp::RenameColumn {
                table: "documents".into(),
                from: "project_id".into(),
                to: "folder_id".into()
            }
        );
        assert_eq!(
            got[5],
            SchemaOp::RenameTable {
                from: "documents".into(),
                to: "docs".into()
            }
        );
        assert_eq!(
            got[6],
            SchemaOp::DropTable {
                table: "docs".into()
            }
        );
        assert_eq!(
            got[7],
            SchemaOp::DropTable {
                table: "other".into()
            }
        );
    }

    #[test]
    fn composite_keys_and_constraints() {
        let sql = "CREATE TABLE memberships (org_id uuid, user_id uuid, role text, \
                   CONSTRAINT memberships_pk PRIMARY KEY (org_id, user_id), UNIQUE (org_id, role));\n\
                   ALTER TABLE tags ADD CONSTRAINT tags_org_name UNIQUE (org_id, name);";
        let got = ops(sql);
        match &got[0] {
            SchemaOp::CreateTable {
                primary_key,
                unique,
                ..
            } => {
                assert_eq!(
                    primary_key,
                    &vec!["org_id".to_string(), "user_id".to_string()]
                );
                assert_eq!(
                    unique,
                    &vec![vec!["org_id".to_string(), "role".to_string()]]
                );
            }
            o => panic!("{o:?}"),
        }
        match &got[1] {
            SchemaOp::CreateIndex {
                name,
                table,
                columns,
                unique,
                partial,
                ..
            } => {
                assert_eq!(name.as_deref(), Some("tags_org_name"));
                assert_eq!(table, "tags");
                assert_eq!(columns, &vec!["org_id".to_string(), "name".to_string()]);
                assert!(*unique && !*partial);
            }
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn indexes() {
        let sql = "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS docs_idx ON public.documents \
                   USING btree (org_id, created_at DESC, lower(title)) WHERE deleted_at IS NULL;\n\
                   CREATE INDEX ON tags (org_id);\nDROP INDEX IF EXISTS public.docs_idx;";
        let got = ops(sql);
        match &got[0] {
            SchemaOp::CreateIndex {
                name,
                table,
                columns,
                unique,
                partial,
                span: range,
            } => {
                assert_eq!(name.as_deref(), Some("docs_idx"));
                assert_eq!(table, "documents");
                assert_eq!(columns[0], "org_id");
                assert_eq!(columns[1], "created_at");
                assert_eq!(columns[2].to_lowercase(), "lower(title)");
                assert!(*unique && *partial);
                assert!(sql[range.clone()].starts_with("CREATE UNIQUE INDEX"));
            }
            o => panic!("{o:?}"),
        }
        assert!(matches!(
            &got[1],
            SchemaOp::CreateIndex {
                name: None,
                unique: false,
                partial: false,
                ..
            }
        ));
        assert_eq!(
            got[2],
            SchemaOp::DropIndex {
                name: "docs_idx".into()
            }
        );
    }

    #[test]
    fn rls_and_policies() {
        let sql = "ALTER TABLE documents ENABLE ROW LEVEL SECURITY;\n\
                   ALTER TABLE documents FORCE ROW LEVEL SECURITY;\n\
                   CREATE POLICY tenant_isolation ON documents USING (org_id = current_setting('app.org')::uuid);";
        let got = ops(sql);
        assert_eq!(
            got[0],
            SchemaOp::EnableRls {
                table: "documents".into(),
                force: false
            }
        );
        assert_eq!(
            got[1],
            SchemaOp::EnableRls {
                table: "documents".into(),
                force: true
            }
        );
        match &got[2] {
            SchemaOp::CreatePolicy { table, text } => {
                assert_eq!(table, "documents");
                assert!(text.starts_with("CREATE POLICY tenant_isolation"));
            }
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn unparseable_statements_do_not_hide_neighbours() {
        let sql = "CREATE TABLE a (id int);\n\
                   DO $$ BEGIN IF NOT EXISTS (SELECT 1) THEN RAISE NOTICE 'x;y'; END IF; END $$;\n\
                   CREATE OR REPLACE FUNCTION f() RETURNS trigger AS $body$ BEGIN NEW.x := 1; RETURN NEW; END $body$ LANGUAGE plpgsql;\n\
                   ALTER TABLE a ADD COLUMN org_id uuid;";
        let d = ddl(sql);
        assert!(d.parse_error.is_none(), "{:?}", d.parse_error);
        assert_eq!(d.ops.len(), 2, "{:#?}", d.ops);
        assert!(matches!(&d.ops[1], SchemaOp::AddColumn { column, .. } if column == "org_id"));
    }

    #[test]
    fn token_fallback_for_rejected_create_table() {
        // a made-up option sqlparser rejects
        let sql = "CREATE TABLE b (id int PRIMARY KEY, org_id uuid NOT NULL, UNIQUE (org_id, id)) WIBBLE WOBBLE;\n\
                   ALTER TABLE b ADD COLUMN IF NOT EXISTS name text WIBBLE, ENABLE ROW LEVEL SECURITY;\n\
                   CREATE TABLE c (id int);";
        let d = ddl(sql);
        let (msg, range) = d.parse_error.clone().unwrap_or_default();
        assert!(!msg.is_empty());
        assert!(sql[range].starts_with("CREATE TABLE b"));
        match &d.ops[0] {
            SchemaOp::CreateTable {
                table,
                columns,
                primary_key,
                unique,
                span: range,
                not_null,
                ..
            } => {
                assert_eq!(table, "b");
                assert_eq!(not_null, &["id", "org_id"]);
                assert_eq!(&sql[range.clone()], "b");
                let names: Vec<&str> = columns.iter().map(|(c, _)| c.as_str()).collect();
                assert_eq!(names, vec!["id", "org_id"]);
                assert_eq!(&sql[columns[1].1.clone()], "org_id");
                assert_eq!(primary_key, &vec!["id".to_string()]);
                assert_eq!(unique, &vec![vec!["org_id".to_string(), "id".to_string()]]);
            }
            o => panic!("{o:?}"),
        }
        assert!(matches!(&d.ops[1], SchemaOp::AddColumn { column, .. } if column == "name"));
        assert_eq!(
            d.ops[2],
            SchemaOp::EnableRls {
                table: "b".into(),
                force: false
            }
        );
        assert!(matches!(&d.ops[3], SchemaOp::CreateTable { table, .. } if table == "c"));
    }

    fn fk(
        columns: &[&str],
        target: &str,
        target_columns: &[&str],
        name: Option<&str>,
    ) -> ForeignKey {
        ForeignKey {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            target: target.into(),
            target_columns: target_columns.iter().map(|c| c.to_string()).collect(),
            name: name.map(str::to_string),
        }
    }

    #[test]
    fn foreign_keys_column_and_table_level_and_added_later() {
        let got = ops(
            "CREATE TABLE docs (id uuid PRIMARY KEY, ds uuid NOT NULL REFERENCES datasets (id),\n\
             owner uuid, CONSTRAINT docs_owner_fk FOREIGN KEY (owner) REFERENCES public.users);\n\
             ALTER TABLE docs ADD CONSTRAINT docs_ds2 FOREIGN KEY (ds) REFERENCES datasets (id);\n\
             ALTER TABLE docs ADD COLUMN tag uuid NOT NULL REFERENCES tags (id);\n\
             ALTER TABLE docs ALTER COLUMN owner SET NOT NULL, DROP CONSTRAINT docs_owner_fk;",
        );
        let SchemaOp::CreateTable {
            foreign_keys,
            not_null,
            ..
        } = &got[0]
        else {
            panic!("{got:#?}")
        };
        assert_eq!(
            foreign_keys,
            &[
                fk(&["ds"], "datasets", &["id"], None),
                fk(&["owner"], "users", &[], Some("docs_owner_fk"))
            ]
        );
        assert_eq!(not_null, &["ds", "id"]);
        assert_eq!(
            got[1],
            SchemaOp::AddForeignKey {
                table: "docs".into(),
                fk: fk(&["ds"], "datasets", &["id"], Some("docs_ds2"))
            }
        );
        assert!(
            matches!(&got[2], SchemaOp::AddColumn { column, not_null: true, .. } if column == "tag")
        );
        assert_eq!(
            got[3],
            SchemaOp::AddForeignKey {
                table: "docs".into(),
                fk: fk(&["tag"], "tags", &["id"], None)
            }
        );
        assert_eq!(
            got[4],
            SchemaOp::SetNotNull {
                table: "docs".into(),
                column: "owner".into(),
                not_null: true
            }
        );
        assert_eq!(
            got[5],
            SchemaOp::DropConstraint {
                table: "docs".into(),
                name: "docs_owner_fk".into()
            }
        );
    }

    #[test]
    fn clickhouse_tables_are_keyless_and_not_null_unless_nullable() {
        let got = ops(
            "CREATE TABLE IF NOT EXISTS ev (\n  id UUID,\n  org_id UUID,\n  \
             note Nullable(String),\n  tags Array(String),\n) ENGINE = ReplacingMergeTree(id)\n\
             ORDER BY (org_id, id)\nPARTITION BY toYYYYMM(created_at);\n\
             CREATE TABLE dflt (id UUID, n Nullable(UUID)) ORDER BY id;\n\
             CREATE TABLE pg (id uuid PRIMARY KEY, n int);\n\
             CREATE TABLE my (id INT NOT NULL) ENGINE=InnoDB;\n\
             ALTER TABLE ev ADD COLUMN IF NOT EXISTS a UUID;\n\
             ALTER TABLE ev ADD COLUMN IF NOT EXISTS b Nullable(UUID);",
        );
        let table = |i: usize| match &got[i] {
            SchemaOp::CreateTable {
                table,
                not_null,
                keyless,
                ..
            } => (table.clone(), not_null.clone(), *keyless),
            o => panic!("{o:#?}"),
        };
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(table(0), ("ev".into(), s(&["id", "org_id", "tags"]), true));
        assert_eq!(table(1), ("dflt".into(), s(&["id"]), true));
        assert_eq!(table(2), ("pg".into(), s(&["id"]), false));
        assert_eq!(table(3), ("my".into(), s(&["id"]), false));
        assert!(
            matches!(&got[4], SchemaOp::AddColumn { column, nullable_type: false, .. } if column == "a")
        );
        assert!(
            matches!(&got[5], SchemaOp::AddColumn { column, nullable_type: true, .. } if column == "b")
        );
        // The token reading takes a ClickHouse table in whole: no failure.
        assert!(ddl(
            "CREATE TABLE t (id UUID, x Array(String),) ENGINE = MergeTree() ORDER BY id;"
        )
        .parse_error
        .is_none());
    }

    #[test]
    fn mysql_and_sqlite_migrations_parse() {
        let got = ops("CREATE TABLE `ciphers` (\n  `uuid` CHAR(36) NOT NULL PRIMARY KEY,\n  \
             `org_uuid` CHAR(36) REFERENCES `organizations` (`uuid`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n\
             CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, n TEXT NOT NULL);");
        let SchemaOp::CreateTable {
            table,
            foreign_keys,
            ..
        } = &got[0]
        else {
            panic!("{got:#?}")
        };
        assert_eq!(table, "ciphers");
        assert_eq!(
            foreign_keys,
            &[fk(&["org_uuid"], "organizations", &["uuid"], None)]
        );
        assert!(matches!(&got[1], SchemaOp::CreateTable { table, .. } if table == "t"));
    }

    #[test]
    fn an_unreadable_alter_that_cannot_change_the_model_is_no_parse_error() {
        // sqlparser reads neither; neither changes what the model reads,
        // except the NOT NULL, which the token scan picks up.
        for sql in [
            "ALTER TABLE mod_ban\n    ALTER COLUMN instance_id SET NOT NULL,\n    ALTER CONSTRAINT mod_ban_instance_id_fkey NOT DEFERRABLE;",
            "ALTER TABLE m ADD CONSTRAINT m_check CHECK (num_nonnulls (a, b) = 1), ALTER CONSTRAINT m_a_fkey NOT DEFERRABLE;",
            "ALTER TABLE eventtype ALTER COLUMN name TYPE TEXT COLLATE \"C\";",
        ] {
            let d = ddl(sql);
            assert!(d.parse_error.is_none(), "{sql}: {:?}", d.parse_error);
        }
        let d = ddl("ALTER TABLE mod_ban ALTER COLUMN instance_id SET NOT NULL, ALTER CONSTRAINT x NOT DEFERRABLE;");
        assert_eq!(
            d.ops,
            [SchemaOp::SetNotNull {
                table: "mod_ban".into(),
                column: "instance_id".into(),
                not_null: true
            }]
        );
        // One that may add an index sqlparser cannot read still is.
        let d = ddl("ALTER TABLE m ADD CONSTRAINT m_pk PRIMARY KEY (a) WIBBLE, ALTER CONSTRAINT x NOT DEFERRABLE;");
        assert!(d.parse_error.is_some());
    }

    #[test]
    fn ddl_inside_a_do_block_is_read() {
        let sql = "DO $$\nBEGIN\n    CREATE EXTENSION IF NOT EXISTS vector;\n    CREATE TABLE IF NOT EXISTS emb (\n        id TEXT NOT NULL PRIMARY KEY,\n        oid TEXT NOT NULL,\n        FOREIGN KEY (oid) REFERENCES collab (oid)\n    );\n    IF NOT EXISTS (SELECT 1) THEN CREATE INDEX emb_oid ON emb (oid); END IF;\nEXCEPTION WHEN OTHERS THEN\n    RAISE NOTICE 'skip';\nEND;\n$$ LANGUAGE plpgsql;\nDO $body$ BEGIN ALTER TABLE emb ADD COLUMN ws uuid; END $body$;";
        let d = ddl(sql);
        assert!(d.parse_error.is_none(), "{:?}", d.parse_error);
        assert_eq!(d.ops.len(), 3, "{:#?}", d.ops);
        let SchemaOp::CreateTable {
            table,
            span,
            foreign_keys,
            ..
        } = &d.ops[0]
        else {
            panic!("{:#?}", d.ops)
        };
        assert_eq!((table.as_str(), &sql[span.clone()]), ("emb", "emb"));
        assert_eq!(foreign_keys[0].target, "collab");
        assert!(
            matches!(&d.ops[1], SchemaOp::CreateIndex { table, columns, .. } if table == "emb" && columns == &["oid"])
        );
        assert!(
            matches!(&d.ops[2], SchemaOp::AddColumn { table, column, .. } if table == "emb" && column == "ws")
        );
    }
}
