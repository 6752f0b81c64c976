//! Tenant-binding analysis over sqlparser's AST.
//!
//! Every table reference becomes an *instance* owned by a *scope* (one per
//! SELECT / UPDATE / DELETE, including subqueries, derived tables and CTE
//! bodies). Conditions are evaluated into [`Facts`]: instances bound to a
//! value on a tenant column, directed equality edges between instances, and
//! "bound if that subquery is bound" conditions (`x.id IN (SELECT ..)`).
//! AND unions facts, OR intersects them (after a local closure), NOT and
//! `<>` drop them. A least fixpoint over all scopes then decides which
//! instances are bound; binding only flows along edges whose source is a
//! tenant-table instance (or a derived table / CTE whose body is fully bound)
//! and whose target is a tenant-table instance.
//!
//! Outer joins: the `ON` condition of a `LEFT JOIN` does not filter the
//! preserved (left) side, so its facts can bind only the right side, and
//! edges only lead into the right side (mirrored for `RIGHT JOIN`; a `FULL
//! JOIN`'s `ON` binds nothing).

use super::lexer::{Kind, Piece};
use super::pos::Locator;
use super::{FindingKind, SqlFinding, TableInfo};
use sqlparser::ast::{
    BinaryOperator, Delete, Expr, FromTable, FunctionArg, FunctionArgExpr, FunctionArguments,
    InTarget, Insert, JoinConstraint, JoinOperator, ObjectName, ObjectNamePart, OrderByKind, Query,
    Select, SelectItem, SetExpr, Statement, TableFactor, TableObject, TableWithJoins,
    UnaryOperator, Update, UpdateTableFromKind,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

type InstId = usize;
type ScopeId = usize;
type QueryId = usize;

/// Parse one statement piece of `sql`. When the piece does not parse and it
/// contains `?` placeholders, they are replaced by `1` (same length, so
/// positions stay valid) and parsing is
/// retried, as PostgreSQL and then as ClickHouse (`FINAL`, `IN ?`,
/// `LIMIT n BY`).
pub(crate) fn parse_piece(sql: &str, piece: &Piece) -> Result<Vec<Statement>, String> {
    let text = sql.get(piece.range.clone()).unwrap_or("");
    let first = match parse(text) {
        Ok(s) => return Ok(s),
        Err(e) => e,
    };
    let qs: Vec<usize> = piece
        .toks
        .iter()
        .filter(|t| t.kind == Kind::Placeholder && t.text(sql) == "?")
        .map(|t| t.start.saturating_sub(piece.range.start))
        .collect();
    if qs.is_empty() {
        return Err(first);
    }
    let mut bytes = text.as_bytes().to_vec();
    // ClickHouse's `?fields` (the row type's columns) becomes `1fields`,
    // which reads as a value named `fields`.
    for q in qs {
        if let Some(b) = bytes.get_mut(q) {
            *b = b'1';
        }
    }
    let Ok(subst) = String::from_utf8(bytes) else {
        return Err(first);
    };
    parse(&subst)
        .or_else(|_| parse_with(&sqlparser::dialect::ClickHouseDialect {}, &subst))
        .map_err(|_| first)
}

/// sqlparser with the PostgreSQL dialect; a panic inside it becomes an error.
pub(crate) fn parse(text: &str) -> Result<Vec<Statement>, String> {
    parse_with(&PostgreSqlDialect {}, text)
}

fn parse_with(d: &dyn sqlparser::dialect::Dialect, text: &str) -> Result<Vec<Statement>, String> {
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Parser::parse_sql(d, text)));
    match r {
        Ok(Ok(s)) => Ok(s),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("sqlparser panicked on this statement".to_string()),
    }
}

/// DDL in whichever dialect reads it: PostgreSQL first, then MySQL
/// (backticks, `AUTO_INCREMENT`), SQLite (migrations kept per backend) and
/// ClickHouse (`ENGINE = MergeTree() ORDER BY ..`); the PostgreSQL error
/// when none does.
pub(crate) fn parse_ddl(text: &str) -> Result<Vec<Statement>, String> {
    use sqlparser::dialect::{ClickHouseDialect, MySqlDialect, SQLiteDialect};
    let first = match parse(text) {
        Ok(s) => return Ok(s),
        Err(e) => e,
    };
    parse_with(&MySqlDialect {}, text)
        .or_else(|_| parse_with(&SQLiteDialect {}, text))
        .or_else(|_| parse_with(&ClickHouseDialect {}, text))
        .map_err(|_| first)
}

/// Analyse parsed statements; positions come from `li` (which indexes the
/// statement text inside `sql`).
pub(crate) fn analyze_statements(
    stmts: &[Statement],
    tables: &dyn TableInfo,
    li: &Locator<'_>,
    sql: &str,
) -> Vec<SqlFinding> {
    let mut out = Vec::new();
    for s in stmts {
        let mut a = Analyzer::new(tables, li, sql);
        a.statement(s, None);
        out.append(&mut a.finish());
    }
    out
}

#[derive(Debug, Clone)]
enum Src {
    /// A real table.
    Table,
    /// A derived table or CTE reference; its body is the scopes in `scopes`.
    Derived {
        scopes: Range<ScopeId>,
        columns: Option<Vec<String>>,
    },
    /// A table function or anything else we do not look into.
    Opaque,
}

#[derive(Debug)]
struct Inst {
    table: String,
    alias: Option<String>,
    range: Option<Range<usize>>,
    tenant: bool,
    /// A table `TableInfo` knows nothing about: never reported, but when
    /// its own tenant-named column is compared with a value it is bound
    /// and can bind the tables joined to it.
    unknown: bool,
    src: Src,
    scope: ScopeId,
    statement: &'static str,
}

#[derive(Debug, Clone, Default)]
struct Facts {
    bound: BTreeSet<InstId>,
    /// directed: binding may flow from `.0` to `.1`
    edges: BTreeSet<(InstId, InstId)>,
    /// `.0` is bound when query `.1` is fully bound
    cond: BTreeSet<(InstId, QueryId)>,
    /// a column of `.0` (not its tenant column) equals placeholder `$.1`:
    /// bound if the caller binds a value built from the tenant there
    keyed: BTreeSet<(InstId, usize)>,
}

impl Facts {
    fn and(&mut self, o: Facts) {
        self.bound.extend(o.bound);
        self.edges.extend(o.edges);
        self.cond.extend(o.cond);
        self.keyed.extend(o.keyed);
    }
}

/// `$3`, `$3::text`: the placeholder's number.
fn placeholder_number(e: &Expr) -> Option<usize> {
    match strip(e) {
        Expr::Value(v) => match &v.value {
            sqlparser::ast::Value::Placeholder(p) => p.strip_prefix('$')?.parse().ok(),
            _ => None,
        },
        Expr::Cast { expr, .. } => placeholder_number(expr),
        _ => None,
    }
}

#[derive(Debug, Default)]
struct Scope {
    parent: Option<ScopeId>,
    insts: Vec<InstId>,
    facts: Facts,
    has_conditions: bool,
    /// A conjunct of its conditions is a bare placeholder: a condition
    /// built at run time (`format!("... WHERE {}", conds.join(" AND "))`).
    runtime: bool,
}

/// Whether an AND-conjunct of `e` is a bare placeholder (`WHERE $1`,
/// `WHERE a = $1 AND $2`): SQL whose condition is interpolated at run
/// time, as no hand-written query tests a bound boolean alone.
fn runtime_conjunct(e: &Expr) -> bool {
    match e {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => runtime_conjunct(left) || runtime_conjunct(right),
        Expr::Nested(inner) => runtime_conjunct(inner),
        Expr::Value(v) => matches!(v.value, sqlparser::ast::Value::Placeholder(_)),
        _ => false,
    }
}

struct CteDef {
    name: String,
    scopes: Range<ScopeId>,
    columns: Option<Vec<String>>,
}

struct QueryOut {
    scopes: Range<ScopeId>,
    top: Option<ScopeId>,
    columns: Option<Vec<String>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum JoinKind {
    Inner,
    Left,
    Right,
    Full,
}

struct PendingJoin<'q> {
    constraint: Option<&'q JoinConstraint>,
    left: Vec<InstId>,
    right: Vec<InstId>,
    kind: JoinKind,
}

struct Analyzer<'a> {
    tables: &'a dyn TableInfo,
    li: &'a Locator<'a>,
    sql: &'a str,
    insts: Vec<Inst>,
    scopes: Vec<Scope>,
    queries: Vec<Range<ScopeId>>,
    ctes: Vec<CteDef>,
    notes: BTreeMap<InstId, Vec<String>>,
    filtered: BTreeMap<InstId, Vec<String>>,
    all_edges: BTreeSet<(InstId, InstId)>,
    stmt: &'static str,
    findings: Vec<SqlFinding>,
}

fn lower(s: &str) -> String {
    s.to_lowercase()
}

fn name_parts(n: &ObjectName) -> Vec<&sqlparser::ast::Ident> {
    n.0.iter()
        .filter_map(|p| match p {
            ObjectNamePart::Identifier(i) => Some(i),
            _ => None,
        })
        .collect()
}

fn last_name(n: &ObjectName) -> String {
    name_parts(n)
        .last()
        .map(|i| lower(&i.value))
        .unwrap_or_default()
}

/// Strip parentheses and casts around an expression.
fn strip(mut e: &Expr) -> &Expr {
    loop {
        match e {
            Expr::Nested(x) => e = x,
            Expr::Cast { expr, .. } => e = expr,
            Expr::Collate { expr, .. } => e = expr,
            Expr::Function(f) => match conversion_arg(f) {
                Some(x) => e = x,
                None => return e,
            },
            _ => return e,
        }
    }
}

/// The argument of a ClickHouse type conversion, a cast written as a call
/// (`toUUID(events.request_id)`, `toUInt64OrZero(x)`).
fn conversion_arg(f: &sqlparser::ast::Function) -> Option<&Expr> {
    let name = f.name.0.last()?.as_ident()?.value.to_ascii_lowercase();
    let ty = name.strip_prefix("to")?;
    let ty = ty
        .strip_suffix("ornull")
        .or_else(|| ty.strip_suffix("orzero"))
        .unwrap_or(ty);
    let numeric = |p: &str| {
        ty.strip_prefix(p)
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    let known = matches!(ty, "uuid" | "string" | "date" | "datetime" | "datetime64")
        || numeric("int")
        || numeric("uint")
        || numeric("float");
    if !known {
        return None;
    }
    let FunctionArguments::List(l) = &f.args else {
        return None;
    };
    match l.args.as_slice() {
        [FunctionArg::Unnamed(FunctionArgExpr::Expr(x))] => Some(x),
        _ => None,
    }
}

/// An expression with no column references outside subqueries: a value.
fn is_value(e: &Expr) -> bool {
    match e {
        Expr::Value(_) | Expr::TypedString(_) | Expr::Subquery(_) => true,
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) => false,
        Expr::Nested(x)
        | Expr::Cast { expr: x, .. }
        | Expr::UnaryOp { expr: x, .. }
        | Expr::Collate { expr: x, .. } => is_value(x),
        Expr::BinaryOp { left, right, .. } => is_value(left) && is_value(right),
        Expr::AtTimeZone {
            timestamp,
            time_zone,
        } => is_value(timestamp) && is_value(time_zone),
        Expr::Function(f) => {
            let args_ok = match &f.args {
                FunctionArguments::None | FunctionArguments::Subquery(_) => true,
                FunctionArguments::List(l) => l.args.iter().all(|a| match a {
                    FunctionArg::Named { arg, .. }
                    | FunctionArg::ExprNamed { arg, .. }
                    | FunctionArg::Unnamed(arg) => match arg {
                        FunctionArgExpr::Expr(x) => is_value(x),
                        _ => false,
                    },
                }),
            };
            args_ok && f.filter.is_none()
        }
        Expr::Array(a) => a.elem.iter().all(is_value),
        Expr::Tuple(v) => v.iter().all(is_value),
        Expr::Interval(i) => is_value(&i.value),
        _ => false,
    }
}

fn select_columns(s: &Select) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for item in &s.projection {
        match item {
            SelectItem::UnnamedExpr(e) => match strip(e) {
                Expr::Identifier(i) => out.push(lower(&i.value)),
                Expr::CompoundIdentifier(v) => {
                    out.push(v.last().map(|i| lower(&i.value)).unwrap_or_default())
                }
                _ => out.push(String::new()),
            },
            SelectItem::ExprWithAlias { alias, .. } => out.push(lower(&alias.value)),
            _ => return None,
        }
    }
    Some(out)
}

impl<'a> Analyzer<'a> {
    fn new(tables: &'a dyn TableInfo, li: &'a Locator<'a>, sql: &'a str) -> Self {
        Analyzer {
            tables,
            li,
            sql,
            insts: Vec::new(),
            scopes: Vec::new(),
            queries: Vec::new(),
            ctes: Vec::new(),
            notes: BTreeMap::new(),
            filtered: BTreeMap::new(),
            all_edges: BTreeSet::new(),
            stmt: "select",
            findings: Vec::new(),
        }
    }

    fn note(&mut self, i: InstId, msg: String) {
        let v = self.notes.entry(i).or_default();
        if !v.contains(&msg) {
            v.push(msg);
        }
    }

    fn is_tenant_table(&self, i: InstId) -> bool {
        self.insts
            .get(i)
            .is_some_and(|x| x.tenant && matches!(x.src, Src::Table))
    }

    /// Whether binding `x` binds `y` along a column equality: always from
    /// an unknown table or a derived one, else as the model says (a child
    /// binds not its parent).
    fn flows(&self, x: InstId, y: InstId) -> bool {
        if !self.is_tenant_table(x) {
            return true;
        }
        match (self.insts.get(x), self.insts.get(y)) {
            (Some(a), Some(b)) => self.tables.binds_into(&a.table, &b.table),
            _ => false,
        }
    }

    /// A tenant table, or an unknown one, whose tenant column can bind it.
    fn can_bind(&self, i: InstId) -> bool {
        self.insts
            .get(i)
            .is_some_and(|x| (x.tenant || x.unknown) && matches!(x.src, Src::Table))
    }

    fn tenant_col_name(&self, i: InstId) -> String {
        let t = self.insts.get(i).map(|x| x.table.as_str()).unwrap_or("");
        self.tables
            .tenant_column(t)
            .unwrap_or_else(|| "tenant column".to_string())
    }

    fn new_scope(&mut self, parent: Option<ScopeId>) -> ScopeId {
        self.scopes.push(Scope {
            parent,
            ..Scope::default()
        });
        self.scopes.len() - 1
    }

    fn name_range(&self, n: &ObjectName) -> Option<Range<usize>> {
        let parts = name_parts(n);
        let first = parts.first()?;
        let last = parts.last()?;
        let s = self.li.range(first.span)?;
        let e = self.li.range(last.span)?;
        let r = s.start..e.end;
        self.sql.get(r.clone()).map(|_| r)
    }

    fn add_inst(&mut self, sc: ScopeId, mut inst: Inst) -> InstId {
        inst.scope = sc;
        inst.statement = self.stmt;
        self.insts.push(inst);
        let id = self.insts.len() - 1;
        if let Some(s) = self.scopes.get_mut(sc) {
            s.insts.push(id);
        }
        id
    }

    // ---------------------------------------------------------------- statements

    fn statement(&mut self, s: &Statement, parent: Option<ScopeId>) {
        let saved = self.stmt;
        match s {
            Statement::Query(q) => {
                self.stmt = "select";
                self.query(q, parent);
            }
            Statement::Insert(ins) => {
                self.stmt = "insert";
                self.insert(ins, parent);
            }
            Statement::Update(u) => {
                self.stmt = "update";
                self.update(u, parent);
            }
            Statement::Delete(d) => {
                self.stmt = "delete";
                self.delete(d, parent);
            }
            _ => {}
        }
        self.stmt = saved;
    }

    fn insert(&mut self, ins: &Insert, parent: Option<ScopeId>) {
        if let TableObject::TableName(name) = &ins.table {
            let t = last_name(name);
            if self.tables.is_tenant(&t) && !self.tables.is_root(&t) {
                let cols: Vec<String> = ins.columns.iter().map(last_name).collect();
                let by_position = cols.is_empty() && self.sets_by_position(&t, ins);
                if !by_position && !cols.iter().any(|c| self.tables.is_own_key(&t, c)) {
                    let column = self
                        .tables
                        .tenant_column(&t)
                        .unwrap_or_else(|| "tenant column".to_string());
                    let position = self.tables.column_position(&t, &column);
                    let note = if let (true, Some(p)) = (cols.is_empty(), position) {
                        format!(
                            "no column list, and the values stop before `{column}` (column {} in the order the migrations create them), or are `*`",
                            p + 1
                        )
                    } else if cols.is_empty() {
                        format!(
                            "no column list, so `{column}` is not visibly set (the columns are implicit)"
                        )
                    } else {
                        format!("the column list does not include `{column}`")
                    };
                    let range = self
                        .name_range(name)
                        .unwrap_or_else(|| self.li.offset_start()..self.li.offset_start());
                    self.findings.push(SqlFinding {
                        kind: FindingKind::InsertWithoutTenant { column },
                        table: t,
                        range,
                        statement: "insert",
                        notes: vec![note],
                        keyed_by: Vec::new(),
                        at: 0,
                        runtime_condition: false,
                    });
                }
            }
        }
        if let Some(src) = &ins.source {
            self.query(src, parent);
        }
    }

    /// Whether an `INSERT` without a column list sets a tenant column of
    /// `table` by position: every `VALUES` row (or the `SELECT`'s list,
    /// without `*`) reaches that column's position in the migrations'
    /// column order.
    fn sets_by_position(&self, table: &str, ins: &Insert) -> bool {
        let Some(src) = &ins.source else {
            return false;
        };
        let width: Option<usize> = match &*src.body {
            SetExpr::Values(v) => v.rows.iter().map(|r| r.len()).min(),
            SetExpr::Select(s) => (!s.projection.iter().any(|p| {
                matches!(
                    p,
                    SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)
                )
            }))
            .then_some(s.projection.len()),
            _ => None,
        };
        let Some(width) = width else {
            return false;
        };
        let Some(column) = self.tables.tenant_column(table) else {
            return false;
        };
        self.tables
            .column_position(table, &column)
            .is_some_and(|p| p < width)
    }

    fn update(&mut self, u: &Update, parent: Option<ScopeId>) {
        let sc = self.new_scope(parent);
        let mut joins = Vec::new();
        self.register_twj(&u.table, sc, &mut joins);
        if let Some(UpdateTableFromKind::BeforeSet(v) | UpdateTableFromKind::AfterSet(v)) = &u.from
        {
            for twj in v {
                self.register_twj(twj, sc, &mut joins);
            }
        }
        self.finish_scope(sc, &joins, u.selection.as_ref(), None);
        for a in &u.assignments {
            self.visit_expr(&a.value, sc);
        }
    }

    fn delete(&mut self, d: &Delete, parent: Option<ScopeId>) {
        let sc = self.new_scope(parent);
        let mut joins = Vec::new();
        let (FromTable::WithFromKeyword(v) | FromTable::WithoutKeyword(v)) = &d.from;
        for twj in v {
            self.register_twj(twj, sc, &mut joins);
        }
        if let Some(using) = &d.using {
            for twj in using {
                self.register_twj(twj, sc, &mut joins);
            }
        }
        self.finish_scope(sc, &joins, d.selection.as_ref(), None);
    }

    // ---------------------------------------------------------------- queries

    fn query(&mut self, q: &Query, parent: Option<ScopeId>) -> QueryOut {
        let start = self.scopes.len();
        let mark = self.ctes.len();
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                let name = lower(&cte.alias.name.value);
                let alias_cols: Vec<String> = cte
                    .alias
                    .columns
                    .iter()
                    .map(|c| lower(&c.name.value))
                    .collect();
                let slot = if with.recursive {
                    self.ctes.push(CteDef {
                        name: name.clone(),
                        scopes: 0..0,
                        columns: (!alias_cols.is_empty()).then(|| alias_cols.clone()),
                    });
                    Some(self.ctes.len() - 1)
                } else {
                    None
                };
                let out = self.query(&cte.query, parent);
                let columns = if alias_cols.is_empty() {
                    out.columns
                } else {
                    Some(alias_cols)
                };
                let def = CteDef {
                    name,
                    scopes: out.scopes,
                    columns,
                };
                match slot.and_then(|i| self.ctes.get_mut(i)) {
                    Some(d) => *d = def,
                    None => self.ctes.push(def),
                }
            }
        }
        let (top, columns) = self.set_expr(&q.body, parent);
        if let Some(ob) = &q.order_by {
            if let OrderByKind::Expressions(v) = &ob.kind {
                if let Some(sc) = top.or(parent) {
                    for e in v {
                        self.visit_expr(&e.expr, sc);
                    }
                }
            }
        }
        self.ctes.truncate(mark);
        QueryOut {
            scopes: start..self.scopes.len(),
            top,
            columns,
        }
    }

    fn set_expr(
        &mut self,
        e: &SetExpr,
        parent: Option<ScopeId>,
    ) -> (Option<ScopeId>, Option<Vec<String>>) {
        match e {
            SetExpr::Select(s) => (Some(self.select(s, parent)), select_columns(s)),
            SetExpr::Query(q) => {
                let o = self.query(q, parent);
                (o.top, o.columns)
            }
            SetExpr::SetOperation { left, right, .. } => {
                let (_, c) = self.set_expr(left, parent);
                self.set_expr(right, parent);
                (None, c)
            }
            SetExpr::Values(v) => {
                // subqueries in VALUES get their own scope under a dummy one
                let sc = match parent {
                    Some(p) => p,
                    None => self.new_scope(None),
                };
                for row in &v.rows {
                    for x in &row.content {
                        self.visit_expr(x, sc);
                    }
                }
                (None, None)
            }
            SetExpr::Insert(s) | SetExpr::Update(s) | SetExpr::Delete(s) => {
                self.statement(s, parent);
                (None, None)
            }
            _ => (None, None),
        }
    }

    fn select(&mut self, s: &Select, parent: Option<ScopeId>) -> ScopeId {
        let sc = self.new_scope(parent);
        let mut joins = Vec::new();
        for twj in &s.from {
            self.register_twj(twj, sc, &mut joins);
        }
        self.finish_scope(sc, &joins, s.selection.as_ref(), s.having.as_ref());
        for item in &s.projection {
            match item {
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                    self.visit_expr(e, sc)
                }
                _ => {}
            }
        }
        sc
    }

    fn finish_scope(
        &mut self,
        sc: ScopeId,
        joins: &[PendingJoin<'_>],
        selection: Option<&Expr>,
        having: Option<&Expr>,
    ) {
        let mut facts = Facts::default();
        let mut has_conditions = false;
        for j in joins {
            if matches!(
                j.constraint,
                Some(JoinConstraint::On(_) | JoinConstraint::Using(_) | JoinConstraint::Natural)
            ) {
                has_conditions = true;
            }
            let f = self.eval_join(j, sc);
            facts.and(f);
        }
        let mut runtime = false;
        for e in [selection, having].into_iter().flatten() {
            has_conditions = true;
            runtime |= runtime_conjunct(e);
            let f = self.eval(e, sc);
            facts.and(f);
        }
        if let Some(s) = self.scopes.get_mut(sc) {
            s.facts = facts;
            s.has_conditions = has_conditions;
            s.runtime = runtime;
        }
    }

    // ---------------------------------------------------------------- FROM

    fn register_twj<'q>(
        &mut self,
        twj: &'q TableWithJoins,
        sc: ScopeId,
        joins: &mut Vec<PendingJoin<'q>>,
    ) -> Vec<InstId> {
        let mut left = self.register_factor(&twj.relation, sc, joins);
        for j in &twj.joins {
            let right = self.register_factor(&j.relation, sc, joins);
            let (kind, constraint) = match &j.join_operator {
                JoinOperator::Left(c) | JoinOperator::LeftOuter(c) | JoinOperator::LeftAnti(c) => {
                    (JoinKind::Left, Some(c))
                }
                JoinOperator::Right(c)
                | JoinOperator::RightOuter(c)
                | JoinOperator::RightAnti(c) => (JoinKind::Right, Some(c)),
                JoinOperator::FullOuter(c) => (JoinKind::Full, Some(c)),
                JoinOperator::OuterApply => (JoinKind::Left, None),
                JoinOperator::Join(c)
                | JoinOperator::Inner(c)
                | JoinOperator::CrossJoin(c)
                | JoinOperator::Semi(c)
                | JoinOperator::LeftSemi(c)
                | JoinOperator::RightSemi(c)
                | JoinOperator::Anti(c)
                | JoinOperator::StraightJoin(c) => (JoinKind::Inner, Some(c)),
                JoinOperator::AsOf { constraint, .. } => (JoinKind::Inner, Some(constraint)),
                _ => (JoinKind::Inner, None),
            };
            joins.push(PendingJoin {
                constraint,
                left: left.clone(),
                right: right.clone(),
                kind,
            });
            left.extend(right);
        }
        left
    }

    fn register_factor<'q>(
        &mut self,
        f: &'q TableFactor,
        sc: ScopeId,
        joins: &mut Vec<PendingJoin<'q>>,
    ) -> Vec<InstId> {
        let opaque = |table: String, alias: Option<String>| Inst {
            table,
            alias,
            range: None,
            tenant: false,
            unknown: false,
            src: Src::Opaque,
            scope: 0,
            statement: "select",
        };
        match f {
            TableFactor::Table {
                name, alias, args, ..
            } => {
                let t = last_name(name);
                let alias = alias.as_ref().map(|a| lower(&a.name.value));
                if args.is_some() {
                    return vec![self.add_inst(sc, opaque(t, alias))];
                }
                let parts = name_parts(name);
                if parts.len() == 1 {
                    if let Some(def) = self.ctes.iter().rev().find(|d| d.name == t) {
                        let src = Src::Derived {
                            scopes: def.scopes.clone(),
                            columns: def.columns.clone(),
                        };
                        let inst = Inst {
                            table: t,
                            alias,
                            range: self.name_range(name),
                            tenant: false,
                            unknown: false,
                            src,
                            scope: 0,
                            statement: "select",
                        };
                        return vec![self.add_inst(sc, inst)];
                    }
                }
                let tenant = self.tables.is_tenant(&t);
                let unknown = !tenant && self.tables.has_column(&t, "").is_none();
                let range = self.name_range(name);
                let inst = Inst {
                    table: t,
                    alias,
                    range,
                    tenant,
                    unknown,
                    src: Src::Table,
                    scope: 0,
                    statement: "select",
                };
                vec![self.add_inst(sc, inst)]
            }
            TableFactor::Derived {
                subquery, alias, ..
            } => {
                let out = self.query(subquery, Some(sc));
                let alias_name = alias.as_ref().map(|a| lower(&a.name.value));
                let alias_cols: Vec<String> = alias
                    .as_ref()
                    .map(|a| a.columns.iter().map(|c| lower(&c.name.value)).collect())
                    .unwrap_or_default();
                let columns = if alias_cols.is_empty() {
                    out.columns
                } else {
                    Some(alias_cols)
                };
                let inst = Inst {
                    table: alias_name.clone().unwrap_or_default(),
                    alias: alias_name,
                    range: None,
                    tenant: false,
                    unknown: false,
                    src: Src::Derived {
                        scopes: out.scopes,
                        columns,
                    },
                    scope: 0,
                    statement: "select",
                };
                vec![self.add_inst(sc, inst)]
            }
            TableFactor::NestedJoin {
                table_with_joins, ..
            } => self.register_twj(table_with_joins, sc, joins),
            TableFactor::Function { name, alias, .. } => {
                let alias = alias.as_ref().map(|a| lower(&a.name.value));
                vec![self.add_inst(sc, opaque(last_name(name), alias))]
            }
            TableFactor::UNNEST {
                alias, array_exprs, ..
            } => {
                for e in array_exprs {
                    self.visit_expr(e, sc);
                }
                let alias = alias.as_ref().map(|a| lower(&a.name.value));
                vec![self.add_inst(sc, opaque(String::new(), alias))]
            }
            TableFactor::TableFunction { expr, alias } => {
                self.visit_expr(expr, sc);
                let alias = alias.as_ref().map(|a| lower(&a.name.value));
                vec![self.add_inst(sc, opaque(String::new(), alias))]
            }
            _ => vec![self.add_inst(sc, opaque(String::new(), None))],
        }
    }

    fn eval_join(&mut self, j: &PendingJoin<'_>, sc: ScopeId) -> Facts {
        let mut f = Facts::default();
        match j.constraint {
            Some(JoinConstraint::On(e)) => f = self.eval(e, sc),
            Some(JoinConstraint::Using(names) | JoinConstraint::UsingAlias(names, _)) => {
                for n in names {
                    let col = last_name(n);
                    let l = self.pick(&j.left, &col);
                    let r = self.pick(&j.right, &col);
                    if let (Some(l), Some(r)) = (l, r) {
                        self.add_eq_edge(&mut f, l, r);
                    }
                }
            }
            Some(JoinConstraint::Natural) => {
                for &l in &j.left {
                    for &r in &j.right {
                        if !(self.is_tenant_table(l) && self.is_tenant_table(r)) {
                            continue;
                        }
                        let tc = self.tenant_col_name(r);
                        if self.has_col(l, &tc) == Some(true) && self.has_col(r, &tc) == Some(true)
                        {
                            self.add_eq_edge(&mut f, l, r);
                        }
                    }
                }
            }
            _ => {}
        }
        match j.kind {
            JoinKind::Inner => f,
            JoinKind::Left => self.restrict(f, &j.left),
            JoinKind::Right => self.restrict(f, &j.right),
            JoinKind::Full => {
                let all: Vec<InstId> = j.left.iter().chain(&j.right).copied().collect();
                self.restrict(f, &all)
            }
        }
    }

    /// Keep only the facts of an outer join's ON that can restrict the
    /// null-extended side (everything outside `preserved`).
    fn restrict(&mut self, f: Facts, preserved: &[InstId]) -> Facts {
        let keep = |i: &InstId| !preserved.contains(i);
        for i in self.local_closure(&f) {
            if !keep(&i) && self.is_tenant_table(i) {
                let t = self
                    .insts
                    .get(i)
                    .map(|x| x.table.clone())
                    .unwrap_or_default();
                self.note(
                    i,
                    format!(
                        "the tenant condition is in the `ON` of an outer join, which does not filter `{t}`"
                    ),
                );
            }
        }
        Facts {
            bound: f.bound.into_iter().filter(keep).collect(),
            edges: f.edges.into_iter().filter(|(_, b)| keep(b)).collect(),
            cond: f.cond.into_iter().filter(|(i, _)| keep(i)).collect(),
            keyed: f.keyed.into_iter().filter(|(i, _)| keep(i)).collect(),
        }
    }

    fn add_eq_edge(&mut self, f: &mut Facts, a: InstId, b: InstId) {
        if a == b {
            return;
        }
        f.edges.insert((a, b));
        f.edges.insert((b, a));
        self.all_edges.insert((a, b));
        self.all_edges.insert((b, a));
    }

    // ---------------------------------------------------------------- names

    fn has_col(&self, i: InstId, col: &str) -> Option<bool> {
        let inst = self.insts.get(i)?;
        match &inst.src {
            Src::Table => {
                if self.tables.is_tenant_column(&inst.table, col) {
                    Some(true)
                } else {
                    self.tables.has_column(&inst.table, col)
                }
            }
            Src::Derived { columns, .. } => columns.as_ref().map(|c| c.iter().any(|x| x == col)),
            Src::Opaque => None,
        }
    }

    /// First instance of `cands` that has `col`, else the first whose columns
    /// are unknown.
    fn pick(&self, cands: &[InstId], col: &str) -> Option<InstId> {
        cands
            .iter()
            .copied()
            .find(|&i| self.has_col(i, col) == Some(true))
            .or_else(|| {
                cands
                    .iter()
                    .copied()
                    .find(|&i| self.has_col(i, col).is_none())
            })
    }

    /// Resolve a column reference to (instance, lowercase column).
    fn resolve(&self, e: &Expr, sc: ScopeId) -> Option<(InstId, String)> {
        match strip(e) {
            Expr::Identifier(id) => {
                let col = lower(&id.value);
                let mut cur = Some(sc);
                while let Some(s) = cur {
                    let scope = self.scopes.get(s)?;
                    if let Some(i) = self.pick(&scope.insts, &col) {
                        return Some((i, col));
                    }
                    cur = scope.parent;
                }
                None
            }
            Expr::CompoundIdentifier(ids) if ids.len() >= 2 => {
                let col = lower(&ids[ids.len() - 1].value);
                let q = lower(&ids[ids.len() - 2].value);
                let mut cur = Some(sc);
                while let Some(s) = cur {
                    let scope = self.scopes.get(s)?;
                    let found = scope
                        .insts
                        .iter()
                        .copied()
                        .find(|&i| {
                            self.insts
                                .get(i)
                                .is_some_and(|x| x.alias.as_deref() == Some(&q))
                        })
                        .or_else(|| {
                            scope.insts.iter().copied().find(|&i| {
                                self.insts
                                    .get(i)
                                    .is_some_and(|x| x.alias.is_none() && x.table == q)
                            })
                        })
                        .or_else(|| {
                            scope.insts.iter().copied().find(|&i| {
                                self.insts
                                    .get(i)
                                    .is_some_and(|x| matches!(x.src, Src::Table) && x.table == q)
                            })
                        });
                    if let Some(i) = found {
                        return Some((i, col));
                    }
                    cur = scope.parent;
                }
                None
            }
            _ => None,
        }
    }

    fn is_tenant_ref(&self, r: &(InstId, String)) -> bool {
        self.can_bind(r.0)
            && self
                .insts
                .get(r.0)
                .is_some_and(|x| self.tables.is_tenant_column(&x.table, &r.1))
    }

    // ---------------------------------------------------------------- conditions

    fn col_value(&mut self, f: &mut Facts, r: (InstId, String)) {
        if !self.can_bind(r.0) {
            return;
        }
        if self.is_tenant_ref(&r) {
            f.bound.insert(r.0);
        } else {
            let v = self.filtered.entry(r.0).or_default();
            if !v.contains(&r.1) {
                v.push(r.1);
            }
        }
    }

    /// The number of the placeholder `e` is: `$n`, or a positional `?`
    /// (read as `1` to parse; its place in the text says which it was).
    fn placeholder(&self, e: &Expr) -> Option<usize> {
        if let Some(n) = placeholder_number(e) {
            return Some(n);
        }
        let Expr::Value(v) = strip(e) else {
            return None;
        };
        let at = self.li.range(v.span)?.start;
        (self.sql.as_bytes().get(at) == Some(&b'?'))
            .then(|| super::positional_placeholders_before(self.sql, at) + 1)
    }

    fn eq(&mut self, l: &Expr, r: &Expr, sc: ScopeId) -> Facts {
        let mut f = Facts::default();
        if let (Expr::Tuple(ls), Expr::Tuple(rs)) = (strip(l), strip(r)) {
            if ls.len() == rs.len() {
                for (a, b) in ls.iter().zip(rs) {
                    let g = self.eq(a, b, sc);
                    f.and(g);
                }
                return f;
            }
        }
        let lc = self.resolve(l, sc);
        let rc = self.resolve(r, sc);
        match (lc, rc) {
            (Some(a), Some(b)) => self.add_eq_edge(&mut f, a.0, b.0),
            (Some(a), None) if is_value(r) => {
                if let Some(n) = self.placeholder(r) {
                    f.keyed.insert((a.0, n));
                }
                self.col_value(&mut f, a);
            }
            (None, Some(b)) if is_value(l) => {
                if let Some(n) = self.placeholder(l) {
                    f.keyed.insert((b.0, n));
                }
                self.col_value(&mut f, b);
            }
            _ => {}
        }
        self.visit_expr(l, sc);
        self.visit_expr(r, sc);
        f
    }

    /// Note a tenant column compared by exclusion (`<>`, `IS DISTINCT FROM`, `NOT IN`).
    fn exclusion_note(&mut self, l: &Expr, r: &Expr, sc: ScopeId, op: &str) {
        for (c, v) in [(l, r), (r, l)] {
            if let Some(rc) = self.resolve(c, sc) {
                if self.is_tenant_ref(&rc) && is_value(v) {
                    self.note(
                        rc.0,
                        format!("`.. {op} {v}` excludes a tenant instead of selecting one"),
                    );
                }
            }
        }
    }

    fn local_closure(&self, f: &Facts) -> BTreeSet<InstId> {
        let mut set = f.bound.clone();
        loop {
            let mut changed = false;
            for &(a, b) in &f.edges {
                if set.contains(&a)
                    && !set.contains(&b)
                    && self.is_tenant_table(a)
                    && self.is_tenant_table(b)
                {
                    set.insert(b);
                    changed = true;
                }
            }
            if !changed {
                return set;
            }
        }
    }

    fn eval(&mut self, e: &Expr, sc: ScopeId) -> Facts {
        match e {
            Expr::Nested(x) => self.eval(x, sc),
            Expr::BinaryOp {
                left,
                op: BinaryOperator::And,
                right,
            } => {
                let mut a = self.eval(left, sc);
                let b = self.eval(right, sc);
                a.and(b);
                a
            }
            Expr::BinaryOp {
                left,
                op: BinaryOperator::Or,
                right,
            } => {
                let a = self.eval(left, sc);
                let b = self.eval(right, sc);
                let ca = self.local_closure(&a);
                let cb = self.local_closure(&b);
                let both: BTreeSet<InstId> = ca.intersection(&cb).copied().collect();
                for &i in ca.union(&cb) {
                    if !both.contains(&i) && self.is_tenant_table(i) {
                        self.note(i, "an `OR` drops the tenant condition".to_string());
                    }
                }
                Facts {
                    bound: both,
                    edges: a.edges.intersection(&b.edges).copied().collect(),
                    cond: a.cond.intersection(&b.cond).copied().collect(),
                    keyed: a.keyed.intersection(&b.keyed).copied().collect(),
                }
            }
            Expr::BinaryOp {
                left,
                op: BinaryOperator::Eq,
                right,
            } => self.eq(left, right, sc),
            Expr::IsNotDistinctFrom(l, r) => self.eq(l, r, sc),
            Expr::BinaryOp {
                left,
                op: BinaryOperator::NotEq,
                right,
            } => {
                self.exclusion_note(left, right, sc, "<>");
                self.visit_expr(left, sc);
                self.visit_expr(right, sc);
                Facts::default()
            }
            Expr::IsDistinctFrom(l, r) => {
                self.exclusion_note(l, r, sc, "IS DISTINCT FROM");
                self.visit_expr(l, sc);
                self.visit_expr(r, sc);
                Facts::default()
            }
            Expr::UnaryOp {
                op: UnaryOperator::Not,
                expr,
            } => {
                let f = self.eval(expr, sc);
                for i in self.local_closure(&f) {
                    if self.is_tenant_table(i) {
                        self.note(i, "a `NOT` negates the tenant condition".to_string());
                    }
                }
                Facts::default()
            }
            Expr::AnyOp {
                left,
                compare_op: BinaryOperator::Eq,
                right,
                ..
            } => {
                let mut f = Facts::default();
                if is_value(right) {
                    if let Some(c) = self.resolve(left, sc) {
                        self.col_value(&mut f, c);
                    }
                }
                self.visit_expr(left, sc);
                self.visit_expr(right, sc);
                f
            }
            Expr::In {
                expr,
                target: InTarget::List(list),
                negated,
                ..
            } => {
                let mut f = Facts::default();
                let all_values = list.iter().all(is_value);
                if all_values {
                    if let Some(c) = self.resolve(expr, sc) {
                        if *negated {
                            if self.is_tenant_ref(&c) {
                                self.note(
                                    c.0,
                                    "`.. NOT IN (..)` excludes tenants instead of selecting one"
                                        .to_string(),
                                );
                            }
                        } else {
                            self.col_value(&mut f, c);
                        }
                    }
                } else if !*negated && list.len() == 1 {
                    // `x IN (y)` is `x = y`
                    if let Some(only) = list.first() {
                        return self.eq(expr, only, sc);
                    }
                }
                self.visit_expr(expr, sc);
                for x in list {
                    self.visit_expr(x, sc);
                }
                f
            }
            Expr::In {
                expr,
                target: InTarget::Subquery(q),
                negated,
                ..
            } => {
                let mut f = Facts::default();
                self.visit_expr(expr, sc);
                let out = self.query(q, Some(sc));
                if *negated {
                    return f;
                }
                if let Some(c) = self.resolve(expr, sc) {
                    if self.is_tenant_ref(&c) {
                        f.bound.insert(c.0);
                    } else if self.is_tenant_table(c.0) {
                        self.queries.push(out.scopes);
                        f.cond.insert((c.0, self.queries.len() - 1));
                        let v = self.filtered.entry(c.0).or_default();
                        if !v.contains(&c.1) {
                            v.push(c.1);
                        }
                    }
                }
                f
            }
            Expr::Exists { subquery, negated } => {
                let out = self.query(subquery, Some(sc));
                match (negated, out.top) {
                    (false, Some(t)) => self
                        .scopes
                        .get(t)
                        .map(|s| s.facts.clone())
                        .unwrap_or_default(),
                    _ => Facts::default(),
                }
            }
            _ => {
                self.visit_expr(e, sc);
                Facts::default()
            }
        }
    }

    /// Walk an expression only to analyse the subqueries inside it.
    fn visit_expr(&mut self, e: &Expr, sc: ScopeId) {
        match e {
            Expr::Subquery(q) => {
                self.query(q, Some(sc));
            }
            Expr::Exists { subquery, .. } => {
                self.query(subquery, Some(sc));
            }
            Expr::In { expr, target, .. } => {
                self.visit_expr(expr, sc);
                match target {
                    InTarget::List(l) => {
                        for x in l {
                            self.visit_expr(x, sc);
                        }
                    }
                    InTarget::Subquery(q) => {
                        self.query(q, Some(sc));
                    }
                    InTarget::Unnest(x) => self.visit_expr(x, sc),
                    _ => {}
                }
            }
            Expr::BinaryOp { left, right, .. }
            | Expr::AnyOp { left, right, .. }
            | Expr::AllOp { left, right, .. }
            | Expr::IsDistinctFrom(left, right)
            | Expr::IsNotDistinctFrom(left, right)
            | Expr::Like {
                expr: left,
                pattern: right,
                ..
            }
            | Expr::ILike {
                expr: left,
                pattern: right,
                ..
            }
            | Expr::SimilarTo {
                expr: left,
                pattern: right,
                ..
            }
            | Expr::RLike {
                expr: left,
                pattern: right,
                ..
            }
            | Expr::AtTimeZone {
                timestamp: left,
                time_zone: right,
            } => {
                self.visit_expr(left, sc);
                self.visit_expr(right, sc);
            }
            Expr::UnaryOp { expr: x, .. }
            | Expr::Nested(x)
            | Expr::Cast { expr: x, .. }
            | Expr::Collate { expr: x, .. }
            | Expr::IsNull(x)
            | Expr::IsNotNull(x)
            | Expr::IsTrue(x)
            | Expr::IsFalse(x)
            | Expr::IsNotTrue(x)
            | Expr::IsNotFalse(x)
            | Expr::IsUnknown(x)
            | Expr::IsNotUnknown(x)
            | Expr::JsonAccess { value: x, .. }
            | Expr::CompoundFieldAccess { root: x, .. }
            | Expr::Extract { expr: x, .. }
            | Expr::Substring { expr: x, .. } => self.visit_expr(x, sc),
            Expr::Between {
                expr, low, high, ..
            } => {
                self.visit_expr(expr, sc);
                self.visit_expr(low, sc);
                self.visit_expr(high, sc);
            }
            Expr::Function(f) => {
                match &f.args {
                    FunctionArguments::Subquery(q) => {
                        self.query(q, Some(sc));
                    }
                    FunctionArguments::List(l) => {
                        for a in &l.args {
                            let (FunctionArg::Named { arg, .. }
                            | FunctionArg::ExprNamed { arg, .. }
                            | FunctionArg::Unnamed(arg)) = a;
                            if let FunctionArgExpr::Expr(x) = arg {
                                self.visit_expr(x, sc);
                            }
                        }
                    }
                    FunctionArguments::None => {}
                }
                if let Some(x) = &f.filter {
                    self.visit_expr(x, sc);
                }
            }
            Expr::Case {
                operand,
                conditions,
                else_result,
                ..
            } => {
                if let Some(x) = operand {
                    self.visit_expr(x, sc);
                }
                for c in conditions {
                    self.visit_expr(&c.condition, sc);
                    self.visit_expr(&c.result, sc);
                }
                if let Some(x) = else_result {
                    self.visit_expr(x, sc);
                }
            }
            Expr::Tuple(v) => {
                for x in v {
                    self.visit_expr(x, sc);
                }
            }
            Expr::Array(a) => {
                for x in &a.elem {
                    self.visit_expr(x, sc);
                }
            }
            _ => {}
        }
    }

    // ---------------------------------------------------------------- solving

    fn range_bound(&self, r: &Range<ScopeId>, b: &[bool]) -> bool {
        let mut any_source = false;
        for (i, inst) in self.insts.iter().enumerate() {
            if !r.contains(&inst.scope) {
                continue;
            }
            let bound = b.get(i).copied().unwrap_or(false);
            if self.is_tenant_table(i) {
                if !bound {
                    return false;
                }
                any_source = true;
            } else if matches!(inst.src, Src::Derived { .. }) && bound {
                any_source = true;
            }
        }
        any_source
    }

    fn solve(&self) -> Vec<bool> {
        let n = self.insts.len();
        let mut b = vec![false; n];
        loop {
            let mut changed = false;
            for i in 0..n {
                if b[i] {
                    continue;
                }
                if let Some(Src::Derived { scopes, .. }) = self.insts.get(i).map(|x| &x.src) {
                    if self.range_bound(scopes, &b) {
                        b[i] = true;
                        changed = true;
                    }
                }
            }
            for scope in &self.scopes {
                let f = &scope.facts;
                let mut work = b.clone();
                for &i in &f.bound {
                    if let Some(w) = work.get_mut(i) {
                        *w = true;
                    }
                }
                loop {
                    let mut ch = false;
                    for &(x, y) in &f.edges {
                        let src_ok = self.can_bind(x)
                            || self
                                .insts
                                .get(x)
                                .is_some_and(|v| matches!(v.src, Src::Derived { .. }));
                        if work.get(x) == Some(&true)
                            && work.get(y) == Some(&false)
                            && src_ok
                            && self.is_tenant_table(y)
                            && self.flows(x, y)
                        {
                            work[y] = true;
                            ch = true;
                        }
                    }
                    for &(i, q) in &f.cond {
                        if work.get(i) == Some(&false)
                            && self.queries.get(q).is_some_and(|r| self.range_bound(r, &b))
                        {
                            work[i] = true;
                            ch = true;
                        }
                    }
                    if !ch {
                        break;
                    }
                }
                for &i in &scope.insts {
                    if work.get(i) == Some(&true) && !b[i] && self.is_tenant_table(i) {
                        b[i] = true;
                        changed = true;
                    }
                }
            }
            if !changed {
                return b;
            }
        }
    }

    fn finish(mut self) -> Vec<SqlFinding> {
        let b = self.solve();
        let mut out = std::mem::take(&mut self.findings);
        for (i, inst) in self.insts.iter().enumerate() {
            // The root unbound is the list of tenants (what jobs and
            // membership pages read), not one tenant's data.
            if !self.is_tenant_table(i)
                || b.get(i) == Some(&true)
                || self.tables.is_root(&inst.table)
            {
                continue;
            }
            let tc = self.tenant_col_name(i);
            let mut notes = self.notes.get(&i).cloned().unwrap_or_default();
            // joined through a table without a tenant column
            'link: for &(x, n) in &self.all_edges {
                if x != i {
                    continue;
                }
                let Some(ni) = self.insts.get(n) else {
                    continue;
                };
                if !matches!(ni.src, Src::Table)
                    || (ni.tenant && self.tables.binds_into(&ni.table, &inst.table))
                {
                    continue;
                }
                for &(n2, j) in &self.all_edges {
                    if n2 == n && j != i && self.is_tenant_table(j) {
                        let msg = if ni.tenant {
                            format!(
                                "joined through `{}`, a child table: binding passes from a \
                                 parent to its child, not on to the child's other parents \
                                 such as `{}`",
                                ni.table, inst.table
                            )
                        } else {
                            format!("joined through `{}`, which has no tenant column", ni.table)
                        };
                        if !notes.contains(&msg) {
                            notes.push(msg);
                        }
                        break 'link;
                    }
                }
            }
            if notes.is_empty() {
                if let Some(cols) = self.filtered.get(&i) {
                    let list: Vec<String> = cols.iter().map(|c| format!("`{c}`")).collect();
                    notes.push(format!(
                        "filtered by {} only, not by `{tc}`",
                        list.join(", ")
                    ));
                }
            }
            let runtime = self.scopes.get(inst.scope).is_some_and(|s| s.runtime);
            if runtime {
                notes.insert(
                    0,
                    format!(
                        "the WHERE clause is partly built at run time (a placeholder stands alone as a condition, as `format!(\"... WHERE {{}}\", ..)` leaves it): whether that part binds `{tc}` cannot be told"
                    ),
                );
            }
            if notes.is_empty() {
                let has_cond = self
                    .scopes
                    .get(inst.scope)
                    .is_some_and(|s| s.has_conditions);
                if has_cond {
                    notes.push(format!("no condition binds `{tc}` to one tenant"));
                } else {
                    notes.push("no `WHERE` clause".to_string());
                }
            }
            let range = inst
                .range
                .clone()
                .unwrap_or_else(|| self.li.offset_start()..self.li.offset_start());
            let keyed_by: Vec<usize> = self
                .scopes
                .get(inst.scope)
                .map(|s| {
                    s.facts
                        .keyed
                        .iter()
                        .filter(|(x, _)| *x == i)
                        .map(|(_, n)| *n)
                        .collect()
                })
                .unwrap_or_default();
            out.push(SqlFinding {
                kind: FindingKind::Unbound,
                table: inst.table.clone(),
                range,
                statement: inst.statement,
                notes,
                keyed_by,
                at: 0,
                runtime_condition: runtime,
            });
        }
        out
    }
}
